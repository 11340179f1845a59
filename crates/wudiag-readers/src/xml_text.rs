//! Text content of XML elements read with quick-xml: entity and character references resolved.

/// Text of an XML element, with references resolved.
#[derive(Default)]
pub(crate) struct TextBuf(pub(crate) String);

impl TextBuf {
    /// Appends the character an entity or character reference (`amp`, `#x41`) stands for.
    pub(crate) fn push_ref(&mut self, name: &str) {
        match name {
            "amp" => self.0.push('&'),
            "lt" => self.0.push('<'),
            "gt" => self.0.push('>'),
            "quot" => self.0.push('"'),
            "apos" => self.0.push('\''),
            other => {
                let num = other.strip_prefix('#');
                let ch = num.and_then(|n| {
                    if let Some(h) = n.strip_prefix(['x', 'X']) {
                        u32::from_str_radix(h, 16).ok()
                    } else {
                        n.parse().ok()
                    }
                });
                if let Some(c) = ch.and_then(char::from_u32) {
                    self.0.push(c);
                } else {
                    self.0.push('&');
                    self.0.push_str(other);
                    self.0.push(';');
                }
            }
        }
    }
}
