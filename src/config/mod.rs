//! Shared config and credentials files: where they are, the grammar botocore reads them
//! with, and the merged view of a profile. (Being written; see the module plan in
//! DESIGN.md.)
