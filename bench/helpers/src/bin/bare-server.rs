//! The listen benchmark's ceiling: a tiny_http server that reads each request's body and answers
//! 200 with a small JSON body, nothing else. `bare-server [THREADS]` (default: one per core);
//! the first line printed is its URL.
use std::io::Write;
use std::sync::Arc;

fn main() {
    let threads = std::env::args()
        .nth(1)
        .map(|t| t.parse::<usize>().expect("THREADS must be a number"))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("binding 127.0.0.1:0"));
    let port = server.server_addr().to_ip().expect("an IP address").port();
    println!("http://127.0.0.1:{port}/");
    std::io::stdout().flush().expect("writing stdout");
    let header = tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let server = Arc::clone(&server);
            let header = header.clone();
            std::thread::spawn(move || {
                let mut body = Vec::with_capacity(4096);
                for mut request in server.incoming_requests() {
                    body.clear();
                    let _ = request.as_reader().read_to_end(&mut body);
                    let response = tiny_http::Response::from_string("{\"ok\":true}")
                        .with_header(header.clone());
                    let _ = request.respond(response);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
}
