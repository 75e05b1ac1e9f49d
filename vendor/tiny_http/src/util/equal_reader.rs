use std::io::Read;
use std::io::Result as IoResult;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::channel;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;

/// wa-hook: the most of an unread body skipped to reach the next request on the connection.
/// Upstream allocated a buffer of the whole remaining length (a `Content-Length` of 10^8 cost
/// 100 MB, one of 2^64-1 panicked); a longer remainder now closes the connection instead.
pub const SKIP_MAX: usize = 64 * 1024;

/// A `Reader` that reads exactly the number of bytes from a sub-reader.
///
/// If the limit is reached, it returns EOF. If the limit is not reached
/// when the destructor is called, the remaining bytes will be read and
/// thrown away.
pub struct EqualReader<R>
where
    R: Read,
{
    reader: R,
    size: usize,
    last_read_signal: Sender<IoResult<()>>,
    abandoned: Option<Arc<AtomicBool>>,
}

impl<R> EqualReader<R>
where
    R: Read,
{
    pub fn new(reader: R, size: usize) -> (EqualReader<R>, Receiver<IoResult<()>>) {
        let (tx, rx) = channel();

        let r = EqualReader {
            reader,
            size,
            last_read_signal: tx,
            abandoned: None,
        };

        (r, rx)
    }

    /// wa-hook: set `abandoned` when the body is dropped unread and not skipped, so the
    /// connection closes rather than read the rest of the body as the next request.
    pub fn abandoning(mut self, abandoned: Arc<AtomicBool>) -> Self {
        self.abandoned = Some(abandoned);
        self
    }
}

impl<R> Read for EqualReader<R>
where
    R: Read,
{
    fn read(&mut self, buf: &mut [u8]) -> IoResult<usize> {
        if self.size == 0 {
            return Ok(0);
        }

        let buf = if buf.len() < self.size {
            buf
        } else {
            &mut buf[..self.size]
        };

        match self.reader.read(buf) {
            // wa-hook: the sender hung up before the declared length; upstream reported the
            // end of a complete body.
            Ok(0) if !buf.is_empty() => Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the connection was closed before the whole body arrived",
            )),
            Ok(len) => {
                self.size -= len;
                Ok(len)
            }
            err @ Err(_) => err,
        }
    }
}

impl<R> Drop for EqualReader<R>
where
    R: Read,
{
    fn drop(&mut self) {
        let mut remaining_to_read = self.size;
        let abandoned = self.abandoned.clone();
        let abandon = || {
            if let Some(abandoned) = &abandoned {
                abandoned.store(true, Ordering::Relaxed);
            }
        };
        if remaining_to_read > SKIP_MAX {
            abandon();
            return;
        }

        // wa-hook: through a small buffer, never one of the remaining length.
        let mut buf = [0; 8 * 1024];
        while remaining_to_read > 0 {
            let want = remaining_to_read.min(buf.len());
            match self.reader.read(&mut buf[..want]) {
                Err(e) => {
                    abandon();
                    self.last_read_signal.send(Err(e)).ok();
                    break;
                }
                Ok(0) => {
                    abandon();
                    self.last_read_signal.send(Ok(())).ok();
                    break;
                }
                Ok(other) => {
                    remaining_to_read -= other;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EqualReader;
    use std::io::Read;

    /// wa-hook: a huge declared length left unread costs nothing and does not panic.
    #[test]
    fn a_huge_unread_length_is_abandoned_not_allocated() {
        use std::io::Cursor;
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;

        for size in [usize::MAX, 100_000_000] {
            let abandoned = Arc::new(AtomicBool::new(false));
            let mut org_reader = Cursor::new(b"ab".to_vec());
            {
                let (equal_reader, _) = EqualReader::new(org_reader.by_ref(), size);
                drop(equal_reader.abandoning(abandoned.clone()));
            }
            assert!(abandoned.load(Ordering::Relaxed));
        }
    }

    /// wa-hook: a body cut short is an error, not a complete body.
    #[test]
    fn a_body_cut_short_is_an_error() {
        use std::io::Cursor;
        let mut org_reader = Cursor::new(b"hello".to_vec());
        let (mut equal_reader, _) = EqualReader::new(org_reader.by_ref(), 10);
        let mut read = Vec::new();
        let err = equal_reader.read_to_end(&mut read).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
        assert_eq!(read, b"hello");
    }

    #[test]
    fn test_limit() {
        use std::io::Cursor;

        let mut org_reader = Cursor::new("hello world".to_string().into_bytes());

        {
            let (mut equal_reader, _) = EqualReader::new(org_reader.by_ref(), 5);

            let mut string = String::new();
            equal_reader.read_to_string(&mut string).unwrap();
            assert_eq!(string, "hello");
        }

        let mut string = String::new();
        org_reader.read_to_string(&mut string).unwrap();
        assert_eq!(string, " world");
    }

    #[test]
    fn test_not_enough() {
        use std::io::Cursor;

        let mut org_reader = Cursor::new("hello world".to_string().into_bytes());

        {
            let (mut equal_reader, _) = EqualReader::new(org_reader.by_ref(), 5);

            let mut vec = [0];
            equal_reader.read_exact(&mut vec).unwrap();
            assert_eq!(vec[0], b'h');
        }

        let mut string = String::new();
        org_reader.read_to_string(&mut string).unwrap();
        assert_eq!(string, " world");
    }
}
