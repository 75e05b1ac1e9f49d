//! Media the app uploads: read from a `multipart/form-data` body in both forms the pinned SDKs
//! send (pywa: `file`, `messaging_product`, `type`; whatsapp-api-js: only `file`, with
//! `messaging_product` in the query), kept in memory up to a total, and handed out by id and
//! by a URL that needs the bearer token and expires after 5 minutes (SEND-APIS.md, Meta media).
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

/// How long a media URL works (SEND-APIS.md: maintainer in
/// gabrieldwight/Whatsapp-Business-Cloud-Api-Net#70).
pub const URL_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// The most media kept at once; an upload beyond it is refused.
pub const STORE_MAX: usize = 256 << 20;

pub struct Media {
    /// Shared with the answers that download it.
    pub bytes: bytes::Bytes,
    pub mime_type: String,
    pub sha256: String,
    /// URLs handed out: their hash and when they stop working.
    pub urls: Vec<(String, SystemTime)>,
}

impl Media {
    pub fn new(bytes: Vec<u8>, mime_type: String) -> Media {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Media {
            bytes: bytes.into(),
            mime_type,
            sha256,
            urls: Vec::new(),
        }
    }
}

#[derive(Default)]
pub struct Store {
    pub items: HashMap<String, Media>,
    pub bytes: usize,
}

/// The `file` part's bytes and type, and the `type` field, of a multipart body.
pub struct Upload {
    pub file: Vec<u8>,
    pub file_type: Option<String>,
    pub type_field: Option<String>,
}

/// Read a `multipart/form-data` body; `None` when it is not one or has no `file` part.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Option<Upload> {
    let boundary = content_type.split(';').find_map(|param| {
        let (name, value) = param.trim().split_once('=')?;
        name.eq_ignore_ascii_case("boundary")
            .then(|| value.trim_matches('"').to_string())
    })?;
    let delimiter = format!("--{boundary}");
    let mut upload = Upload {
        file: Vec::new(),
        file_type: None,
        type_field: None,
    };
    let mut found_file = false;
    let mut rest = body;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(head_end) = find(rest, b"\r\n\r\n") else {
            break;
        };
        let head = String::from_utf8_lossy(&rest[..head_end]).to_string();
        let content = &rest[head_end + 4..];
        let end = find(content, format!("\r\n{delimiter}").as_bytes()).unwrap_or(content.len());
        let part = &content[..end];
        let name = head
            .lines()
            .find(|line| {
                line.to_ascii_lowercase()
                    .starts_with("content-disposition:")
            })
            .and_then(|line| {
                line.split(';').find_map(|param| {
                    let (key, value) = param.trim().split_once('=')?;
                    (key == "name").then(|| value.trim_matches('"').to_string())
                })
            });
        let part_type = head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_string())
        });
        match name.as_deref() {
            Some("file") => {
                upload.file = part.to_vec();
                upload.file_type = part_type;
                found_file = true;
            }
            Some("type") => upload.type_field = Some(String::from_utf8_lossy(part).to_string()),
            _ => {}
        }
        rest = &content[end..];
    }
    found_file.then_some(upload)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_sdk_forms_are_read() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--XyZ\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n--XyZ\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nimage/png\r\n--XyZ--\r\n";
        let upload = super::parse_multipart("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(upload.file, b"\x89PNG");
        assert_eq!(upload.file_type.as_deref(), Some("image/png"));
        assert_eq!(upload.type_field.as_deref(), Some("image/png"));
        let only_file = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n";
        let upload =
            super::parse_multipart("multipart/form-data; boundary=\"b\"", only_file).unwrap();
        assert_eq!(upload.file, b"hello");
        assert!(super::parse_multipart("application/json", b"{}").is_none());
    }
}
