//! Fresh identifiers for the bodies wa-hook sends: message ids in each provider's style, UUIDs,
//! numbers and handshake challenges.
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;

/// A cheap source of unique-looking ids (splitmix64), seeded per process. Ids must differ
/// between sends, not resist guessing.
#[derive(Clone, Debug)]
pub struct IdSource(u64);

impl IdSource {
    pub fn new() -> IdSource {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        hasher.write_u32(std::process::id());
        IdSource(hasher.finish())
    }

    /// The same ids on every run with the same seed (`emulate --seed`).
    pub fn seeded(seed: u64) -> IdSource {
        IdSource(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, count: usize) -> Vec<u8> {
        (0..count.div_ceil(8))
            .flat_map(|_| self.next_u64().to_le_bytes())
            .take(count)
            .collect()
    }

    /// `wamid.` and base64, like Meta's message ids.
    pub fn wamid(&mut self) -> String {
        format!(
            "wamid.{}",
            base64::engine::general_purpose::STANDARD.encode(self.bytes(30))
        )
    }

    /// `wacid.` and base64, like Meta's call ids.
    pub fn wacid(&mut self) -> String {
        format!(
            "wacid.{}",
            base64::engine::general_purpose::STANDARD.encode(self.bytes(30))
        )
    }

    /// Letters and digits, like Qikchat's ids.
    pub fn alphanumeric(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| ALPHABET[(self.next_u64() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }

    /// A number of `digits` digits, not starting with 0.
    pub fn number(&mut self, digits: u32) -> u64 {
        let low = 10u64.pow(digits - 1);
        low + self.next_u64() % (9 * low)
    }

    /// A random (version 4) UUID.
    pub fn uuid(&mut self) -> String {
        let mut b = self.bytes(16);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex = hex::encode(b);
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    /// A challenge for Meta's verification handshake: digits, as Meta sends.
    pub fn challenge(&mut self) -> String {
        self.number(10).to_string()
    }
}

impl Default for IdSource {
    fn default() -> Self {
        IdSource::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_differ() {
        let mut ids = IdSource::new();
        assert_ne!(ids.wamid(), ids.wamid());
        assert_eq!(ids.uuid().len(), 36);
        assert_eq!(ids.number(8).to_string().len(), 8);
    }
}
