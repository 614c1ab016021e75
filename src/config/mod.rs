//! Shared config and credentials files: where they are, the grammar botocore reads them
//! with, and the merged view of a profile. (Being written; see the module plan in
//! DESIGN.md.)

// TEMPORARY stand-in until the config branch lands (taken wholesale from that branch).
/// A profile.
#[derive(Clone, Copy, Debug)]
pub struct Profile<'a> {
    _p: std::marker::PhantomData<&'a ()>,
}
impl<'a> Profile<'a> {
    /// Merged lookup.
    pub fn get(&self, _key: &str) -> Option<&'a str> {
        None
    }
}
