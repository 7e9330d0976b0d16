//! A request body checked once to be UTF-8 and then shared without
//! copying: the compressor reads it as `&str`, and a request forwarded
//! unmodified (audit mode, a fault) sends the same bytes.

use bytes::Bytes;

/// Bytes known to be valid UTF-8 (checked in [`TextBody::new`]; `Bytes`
/// never changes after that).
#[derive(Clone, Debug)]
pub struct TextBody(Bytes);

impl TextBody {
    /// The body as text, or the bytes back when they are not UTF-8.
    pub fn new(bytes: Bytes) -> Result<Self, Bytes> {
        match std::str::from_utf8(&bytes) {
            Ok(_) => Ok(Self(bytes)),
            Err(_) => Err(bytes),
        }
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: `new` checked that these bytes are UTF-8, and `Bytes` is
        // immutable. Checking again here would scan the whole body on
        // every use (the copy into an `Arc<str>` this replaces cost a
        // 50 KB memcpy per request).
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same bytes, for forwarding (no copy).
    pub fn bytes(&self) -> Bytes {
        self.0.clone()
    }
}

impl From<String> for TextBody {
    /// No check needed: a `String` is UTF-8.
    fn from(text: String) -> Self {
        Self(Bytes::from(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_utf8_is_accepted_and_the_bytes_are_shared() {
        let text = TextBody::new(Bytes::from_static("{\"a\":\"✓\"}".as_bytes())).unwrap();
        assert_eq!(text.as_str(), "{\"a\":\"✓\"}");
        assert_eq!(text.bytes().as_ptr(), text.as_str().as_ptr());
        let bad = Bytes::from_static(b"{\"a\":\"\xff\"}");
        assert_eq!(TextBody::new(bad.clone()).unwrap_err(), bad);
    }
}
