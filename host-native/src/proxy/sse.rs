//! Server-sent events, split as they arrive: the proxy reads the provider's
//! stream event by event, passes most events on as the exact bytes it
//! received, and rewrites only the few it must.

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};

/// Bytes in, whole events out.
#[derive(Default)]
pub struct Splitter {
    buf: BytesMut,
}

/// One event: its raw bytes (blank line included), name and data.
#[derive(Debug, Clone)]
pub struct Event {
    pub raw: Bytes,
    pub name: Option<String>,
    pub data: String,
}

impl Splitter {
    pub fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete event, if one has fully arrived.
    pub fn next_event(&mut self) -> Option<Event> {
        let end = find_boundary(&self.buf)?;
        let raw = self.buf.split_to(end).freeze();
        Some(parse(raw))
    }

    /// The next event of `bytes`, reading more chunks until one is complete;
    /// after the last chunk, the unterminated rest if there is one.
    pub async fn pull<S, E>(&mut self, bytes: &mut S) -> Pulled<E>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        loop {
            if let Some(event) = self.next_event() {
                return Pulled::Event(event);
            }
            match bytes.next().await {
                Some(Ok(chunk)) => self.push(&chunk),
                Some(Err(e)) => return Pulled::Failed(e),
                None => return self.rest().map_or(Pulled::End, Pulled::Event),
            }
        }
    }

    /// Whatever is left after the stream ended (an unterminated event).
    pub fn rest(&mut self) -> Option<Event> {
        if self.buf.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let raw = self.buf.split().freeze();
        Some(parse(raw))
    }
}

/// What [`Splitter::pull`] got.
pub enum Pulled<E> {
    Event(Event),
    /// The stream ended and nothing is left.
    End,
    /// Reading the stream failed.
    Failed(E),
}

/// End (exclusive) of the first event: after a blank line (`\n\n`,
/// `\r\n\r\n` or `\r\r`).
fn find_boundary(buf: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < buf.len() {
        match buf[i] {
            b'\n' if buf.get(i + 1) == Some(&b'\n') => return Some(i + 2),
            b'\r' if buf[i + 1..].starts_with(b"\n\r\n") => return Some(i + 4),
            b'\r' if buf.get(i + 1) == Some(&b'\r') => return Some(i + 2),
            _ => {}
        }
        i += 1;
    }
    None
}

fn parse(raw: Bytes) -> Event {
    let text = String::from_utf8_lossy(&raw);
    let mut name = None;
    let mut data: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(v) = line.strip_prefix("event:") {
            name = Some(v.trim_start().to_string());
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    let data = data.join("\n");
    Event { raw, name, data }
}

/// An event written out in the usual `event:`/`data:` form.
pub fn encode(name: Option<&str>, data: &str) -> Bytes {
    let mut out = String::with_capacity(data.len() + 32);
    if let Some(name) = name {
        out.push_str("event: ");
        out.push_str(name);
        out.push('\n');
    }
    out.push_str("data: ");
    out.push_str(data);
    out.push_str("\n\n");
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_come_out_whole_with_their_bytes() {
        let mut s = Splitter::default();
        s.push(b"event: ping\ndata: {\"type\"");
        assert!(s.next_event().is_none());
        s.push(b":\"ping\"}\n\nevent: x\r\ndata: 1\r\n\r\ndata: [DONE]\n\n");
        let e = s.next_event().unwrap();
        assert_eq!(e.name.as_deref(), Some("ping"));
        assert_eq!(e.data, "{\"type\":\"ping\"}");
        assert_eq!(&e.raw[..], b"event: ping\ndata: {\"type\":\"ping\"}\n\n");
        let e = s.next_event().unwrap();
        assert_eq!((e.name.as_deref(), e.data.as_str()), (Some("x"), "1"));
        let e = s.next_event().unwrap();
        assert_eq!((e.name, e.data.as_str()), (None, "[DONE]"));
        assert!(s.next_event().is_none() && s.rest().is_none());
    }
}
