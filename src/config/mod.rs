//! Shared config and credentials files (TEMPORARY stand-in: the config branch replaces
//! this file wholesale; signatures match its agreed API).
#![allow(missing_docs, unreachable_pub, dead_code, clippy::all)]

use std::path::{Path, PathBuf};

use crate::env::Environment;
use crate::error::Error;

#[derive(Debug, Clone)]
pub struct FileLocations {
    pub config: Option<PathBuf>,
    pub credentials: Option<PathBuf>,
}
pub fn locate(_env: &dyn Environment) -> FileLocations {
    todo!()
}
pub fn home_dir(_env: &dyn Environment) -> Option<PathBuf> {
    todo!()
}
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileNameSource {
    AwsDefaultProfile,
    AwsProfile,
    Default,
}
pub fn profile_from_env(_env: &dyn Environment) -> (String, ProfileNameSource) {
    todo!()
}
#[derive(Debug)]
pub struct SharedConfig {}
impl SharedConfig {
    pub fn load(_env: &dyn Environment) -> Result<SharedConfig, Error> {
        todo!()
    }
    pub fn from_sources(_c: Option<&[u8]>, _k: Option<&[u8]>) -> Result<SharedConfig, Error> {
        todo!()
    }
    pub fn config_path(&self) -> Option<&Path> {
        todo!()
    }
    pub fn credentials_path(&self) -> Option<&Path> {
        todo!()
    }
    pub fn profile_names(&self) -> Vec<&str> {
        todo!()
    }
    pub fn profile(&self, _name: &str) -> Option<Profile<'_>> {
        todo!()
    }
    pub fn sso_session(&self, _name: &str) -> Option<&Properties> {
        todo!()
    }
    pub fn services(&self, _name: &str) -> Option<&Properties> {
        todo!()
    }
    pub fn section(&self, _name: &str) -> Option<&Properties> {
        todo!()
    }
}
#[derive(Debug, Clone, Copy)]
pub struct Profile<'a> {
    _p: std::marker::PhantomData<&'a ()>,
}
impl<'a> Profile<'a> {
    pub fn name(&self) -> &'a str {
        todo!()
    }
    pub fn get(&self, _key: &str) -> Option<&'a str> {
        todo!()
    }
    pub fn contains_key(&self, _key: &str) -> bool {
        todo!()
    }
    pub fn config_file(&self) -> Option<&'a Properties> {
        todo!()
    }
    pub fn credentials_file(&self) -> Option<&'a Properties> {
        todo!()
    }
}
#[derive(Debug)]
pub struct Properties {}
impl Properties {
    pub fn get(&self, _key: &str) -> Option<&str> {
        todo!()
    }
    pub fn contains_key(&self, _key: &str) -> bool {
        todo!()
    }
    pub fn sub_properties(&self, _key: &str) -> Option<Vec<(&str, &str)>> {
        todo!()
    }
    pub fn iter(&self) -> std::vec::IntoIter<(&str, &str)> {
        todo!()
    }
}
