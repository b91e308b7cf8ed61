//! A tiny insertion-ordered JSON object for webhook payloads, so bodies read like the
//! documented examples (`event` first) without turning on serde_json's `preserve_order` for
//! the whole workspace. Serialised compactly, like `JSON.stringify`.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A JSON value whose objects keep insertion order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum J {
    Value(Value),
    Object(Obj),
    Array(Vec<J>),
}

/// An insertion-ordered JSON object.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Obj(Vec<(&'static str, J)>);

impl Obj {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds a plain value.
    pub(crate) fn v(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.0.push((key, J::Value(value.into())));
        self
    }

    /// Adds a nested ordered object.
    pub(crate) fn o(mut self, key: &'static str, value: Obj) -> Self {
        self.0.push((key, J::Object(value)));
        self
    }

    /// Adds an array of ordered objects.
    pub(crate) fn a(mut self, key: &'static str, items: Vec<Obj>) -> Self {
        self.0
            .push((key, J::Array(items.into_iter().map(J::Object).collect())));
        self
    }

    /// Compact JSON bytes: exactly what is signed and sent.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Value(v) => v.serialize(serializer),
            J::Object(o) => o.serialize(serializer),
            J::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_is_compact() {
        let body = Obj::new()
            .v("event", "payment.confirmed")
            .v("amount", "1.0")
            .a("fees", vec![Obj::new().v("type", "network")]);
        assert_eq!(
            String::from_utf8(body.to_bytes()).ok().as_deref(),
            Some(r#"{"event":"payment.confirmed","amount":"1.0","fees":[{"type":"network"}]}"#)
        );
    }
}
