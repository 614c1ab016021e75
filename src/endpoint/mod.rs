//! Regions, partitions and the Git host name.
//!
//! | owns | must not |
//! |---|---|
//! | region → partition → git hostname | sign |
//!
//! The region list is the one git-remote-codecommit checks against: every region that
//! botocore 1.44.8's endpoint data lists for the `codecommit` service, across partitions,
//! without the `fips` pseudo-regions (`reference/behavior.md` §1.5). A test compares it
//! with the `endpoints.json` in the shared conformance data, so a botocore update that
//! adds a region shows up as a failing test rather than as a user's `RegionNotAvailable`.
//!
//! The Git host is `git-codecommit.REGION.amazonaws.com` (`.amazonaws.com.cn` in the two
//! China regions), replaced verbatim by `CODE_COMMIT_ENDPOINT` when that is set. FIPS Git
//! hosts (`git-codecommit-fips.REGION.amazonaws.com`) are our addition: the reference
//! ignores `AWS_USE_FIPS_ENDPOINT` for the Git host.

use std::fmt;

use crate::config::Profile;
use crate::env::Environment;
use crate::error::{Error, ErrorKind};

// The AWS service endpoints the providers call (STS, SSO, SSO OIDC): reachable for the
// tests only.
#[doc(hidden)]
pub mod services;
pub(crate) mod url;

/// An AWS partition that has CodeCommit.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Partition {
    /// The commercial partition, `aws`.
    Aws,
    /// China, `aws-cn`.
    AwsCn,
    /// GovCloud (US), `aws-us-gov`.
    AwsUsGov,
}

impl Partition {
    /// The partition's id, as in botocore's endpoint data.
    pub fn id(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    /// The DNS suffix of the partition's endpoints.
    pub fn dns_suffix(self) -> &'static str {
        match self {
            Partition::AwsCn => "amazonaws.com.cn",
            Partition::Aws | Partition::AwsUsGov => "amazonaws.com",
        }
    }
}

struct RegionInfo {
    name: &'static str,
    partition: Partition,
    /// CodeCommit's user guide lists a FIPS Git host for the region. The API has a FIPS
    /// endpoint in us-gov-east-1 too, but no Git host is documented there, so it is left
    /// out until one is (`reference/behavior.md` §1.5).
    fips_git: bool,
}

const fn region(name: &'static str, partition: Partition, fips_git: bool) -> RegionInfo {
    RegionInfo {
        name,
        partition,
        fips_git,
    }
}

/// botocore 1.44.8's CodeCommit regions, sorted by name within each partition.
static REGIONS: [RegionInfo; 29] = {
    use Partition::*;
    [
        region("af-south-1", Aws, false),
        region("ap-east-1", Aws, false),
        region("ap-northeast-1", Aws, false),
        region("ap-northeast-2", Aws, false),
        region("ap-northeast-3", Aws, false),
        region("ap-south-1", Aws, false),
        region("ap-south-2", Aws, false),
        region("ap-southeast-1", Aws, false),
        region("ap-southeast-2", Aws, false),
        region("ap-southeast-3", Aws, false),
        region("ca-central-1", Aws, true),
        region("eu-central-1", Aws, false),
        region("eu-north-1", Aws, false),
        region("eu-south-1", Aws, false),
        region("eu-west-1", Aws, false),
        region("eu-west-2", Aws, false),
        region("eu-west-3", Aws, false),
        region("il-central-1", Aws, false),
        region("me-central-1", Aws, false),
        region("me-south-1", Aws, false),
        region("sa-east-1", Aws, false),
        region("us-east-1", Aws, true),
        region("us-east-2", Aws, true),
        region("us-west-1", Aws, true),
        region("us-west-2", Aws, true),
        region("cn-north-1", AwsCn, false),
        region("cn-northwest-1", AwsCn, false),
        region("us-gov-east-1", AwsUsGov, false),
        region("us-gov-west-1", AwsUsGov, true),
    ]
};

/// A region where CodeCommit is available.
///
/// Only names on CodeCommit's list make a `Region`, so holding one means the region
/// check has passed.
///
/// ```
/// use codecommit_auth::{ErrorKind, Region};
/// use codecommit_auth::endpoint::Partition;
///
/// let region = Region::new("cn-north-1")?;
/// assert_eq!(region.partition(), Partition::AwsCn);
/// assert_eq!(Region::new("us-east-1x").unwrap_err().kind(), ErrorKind::RegionNotAvailable);
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Region(&'static RegionInfo);

impl Region {
    /// Looks `name` up in CodeCommit's region list. The match is exact: `US-EAST-1` is
    /// not a region (git-remote-codecommit does not lower-case a profile's region).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::RegionNotAvailable`] with git-remote-codecommit's message.
    pub fn new(name: &str) -> Result<Region, Error> {
        REGIONS
            .iter()
            .find(|r| r.name == name)
            .map(Region)
            .ok_or_else(|| region_not_available(name))
    }

    /// The region's name, e.g. `us-east-1`.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The partition the region belongs to.
    pub fn partition(self) -> Partition {
        self.0.partition
    }

    /// Whether CodeCommit has a FIPS Git host in this region.
    pub fn has_fips_git_host(self) -> bool {
        self.0.fips_git
    }

    /// Every region where CodeCommit is available.
    pub fn all() -> impl ExactSizeIterator<Item = Region> {
        REGIONS.iter().map(Region)
    }
}

impl PartialEq for Region {
    fn eq(&self, other: &Region) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for Region {}

impl std::hash::Hash for Region {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Region").field(&self.0.name).finish()
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

#[cold]
pub(crate) fn region_not_available(name: &str) -> Error {
    Error::new(
        ErrorKind::RegionNotAvailable,
        format!(
            "The following AWS Region is not available for use with AWS CodeCommit: {name}. \
             For more information about CodeCommit's availability in AWS Regions, see the AWS \
             CodeCommit User Guide. If an AWS Region is listed as supported but you receive \
             this error, try updating your version of the AWS CLI or the AWS SDKs."
        ),
    )
}

/// Why the Git host is what it is.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostSource {
    /// The region's standard host.
    Standard,
    /// The region's FIPS host, because `AWS_USE_FIPS_ENDPOINT` or the profile's
    /// `use_fips_endpoint` asked for it.
    Fips,
    /// `CODE_COMMIT_ENDPOINT`, used verbatim.
    Override,
    /// Named by the [`Request`](crate::Request), used verbatim: the host git asked
    /// `git-credential-codecommit` about.
    Request,
}

impl HostSource {
    /// Why the host is what it is, for people: `standard endpoint`, `FIPS endpoint`,
    /// `from CODE_COMMIT_ENDPOINT`, `named in the request`.
    pub fn why(self) -> &'static str {
        match self {
            HostSource::Standard => "standard endpoint",
            HostSource::Fips => "FIPS endpoint",
            HostSource::Override => "from CODE_COMMIT_ENDPOINT",
            HostSource::Request => "named in the request",
        }
    }
}

/// The host a signed URL points at, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitHost {
    host: String,
    source: HostSource,
}

impl GitHost {
    /// The standard or FIPS host of `region`, ignoring any override.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::FipsNotAvailable`] if `fips` is asked for in a region without a FIPS
    /// Git host.
    ///
    /// ```
    /// use codecommit_auth::{GitHost, Region};
    ///
    /// let host = GitHost::for_region(Region::new("us-west-2")?, true)?;
    /// assert_eq!(host.as_str(), "git-codecommit-fips.us-west-2.amazonaws.com");
    /// let host = GitHost::for_region(Region::new("cn-northwest-1")?, false)?;
    /// assert_eq!(host.as_str(), "git-codecommit.cn-northwest-1.amazonaws.com.cn");
    /// # Ok::<(), codecommit_auth::Error>(())
    /// ```
    pub fn for_region(region: Region, fips: bool) -> Result<GitHost, Error> {
        if fips && !region.has_fips_git_host() {
            return Err(Error::new(
                ErrorKind::FipsNotAvailable,
                format!(
                    "FIPS endpoints were requested (AWS_USE_FIPS_ENDPOINT or the profile's \
                     use_fips_endpoint), but CodeCommit has no FIPS Git endpoint in {region}; \
                     use one of {}, or set CODE_COMMIT_ENDPOINT to the host to use",
                    Region::all()
                        .filter(|r| r.has_fips_git_host())
                        .map(Region::name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let prefix = if fips {
            "git-codecommit-fips"
        } else {
            "git-codecommit"
        };
        Ok(GitHost {
            host: format!(
                "{prefix}.{}.{}",
                region.name(),
                region.partition().dns_suffix()
            ),
            source: if fips {
                HostSource::Fips
            } else {
                HostSource::Standard
            },
        })
    }

    /// The host for `region` as the environment and profile configure it:
    /// `CODE_COMMIT_ENDPOINT` if set (even empty, as git-remote-codecommit does), else
    /// the FIPS host if FIPS is on, else the standard host.
    ///
    /// # Errors
    ///
    /// As [`GitHost::for_region`].
    pub fn resolve(
        env: &dyn Environment,
        profile: Option<Profile<'_>>,
        region: Region,
    ) -> Result<GitHost, Error> {
        if let Some(host) = env.var("CODE_COMMIT_ENDPOINT") {
            return Ok(GitHost {
                host,
                source: HostSource::Override,
            });
        }
        GitHost::for_region(region, use_fips(env, profile))
    }

    /// A host the request names, used verbatim ([`HostSource::Request`]).
    pub(crate) fn named(host: String) -> GitHost {
        GitHost {
            host,
            source: HostSource::Request,
        }
    }

    /// The parts of a CodeCommit Git host name — the inverse of
    /// [`GitHost::for_region`], plus VPC-endpoint hosts — or `None` for any other host.
    ///
    /// The whole name must match
    /// `[vpce-ID.]git-codecommit[-fips].REGION.[vpce.]amazonaws.com[.cn]` (the AWS CLI's
    /// pattern, anchored at both ends), without a port. The region is not checked
    /// against the list here: [`GitHostParts::region`] does that.
    ///
    /// ```
    /// use codecommit_auth::GitHost;
    ///
    /// let parts = GitHost::parse("git-codecommit-fips.us-west-2.amazonaws.com").unwrap();
    /// assert_eq!(parts.region_name(), "us-west-2");
    /// assert!(parts.fips() && !parts.vpc_endpoint());
    /// assert!(GitHost::parse("git-codecommit.us-east-1.amazonaws.com.example.net").is_none());
    /// ```
    // DIFFERENCE: the AWS CLI's credential helper matches a prefix and a substring, so
    // `git-codecommit.us-east-1.amazonaws.com.example.net` would be its host too.
    pub fn parse(host: &str) -> Option<GitHostParts<'_>> {
        let mut labels: Vec<&str> = host.split('.').collect();
        if labels
            .first()
            .is_some_and(|l| l.starts_with("vpce-") && l.len() > 5)
        {
            labels.remove(0);
        }
        let tail: &[&str] = match labels.last() {
            Some(&"cn") => &["amazonaws", "com", "cn"],
            _ => &["amazonaws", "com"],
        };
        let labels = labels.strip_suffix(tail)?;
        let (labels, vpc_endpoint) = match labels {
            [rest @ .., "vpce"] => (rest, true),
            _ => (labels, false),
        };
        let (fips, region) = match labels {
            ["git-codecommit", region] => (false, *region),
            ["git-codecommit-fips", region] => (true, *region),
            _ => return None,
        };
        (!region.is_empty()).then_some(GitHostParts {
            region,
            fips,
            vpc_endpoint,
        })
    }

    /// The host, exactly as it goes into the URL and the signature.
    pub fn as_str(&self) -> &str {
        &self.host
    }

    /// Where the host came from.
    pub fn source(&self) -> HostSource {
        self.source
    }
}

impl fmt::Display for GitHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.host)
    }
}

/// A CodeCommit Git host name taken apart by [`GitHost::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GitHostParts<'a> {
    region: &'a str,
    fips: bool,
    vpc_endpoint: bool,
}

impl<'a> GitHostParts<'a> {
    /// The region label, as the host spells it.
    pub fn region_name(&self) -> &'a str {
        self.region
    }

    /// The region, lower-cased first (host names are case-insensitive).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::RegionNotAvailable`] if CodeCommit is not offered there.
    pub fn region(&self) -> Result<Region, Error> {
        Region::new(&self.region.to_ascii_lowercase())
    }

    /// A FIPS host (`git-codecommit-fips.…`).
    pub fn fips(&self) -> bool {
        self.fips
    }

    /// A VPC-endpoint host (`….vpce.amazonaws.com`, with or without the `vpce-ID.`
    /// label in front).
    pub fn vpc_endpoint(&self) -> bool {
        self.vpc_endpoint
    }
}

/// botocore's `use_fips_endpoint` setting: `AWS_USE_FIPS_ENDPOINT` if set, else the
/// profile's key; true when the value is `true` in any case (`ensure_boolean`).
pub(crate) fn use_fips(env: &dyn Environment, profile: Option<Profile<'_>>) -> bool {
    let value = env.var("AWS_USE_FIPS_ENDPOINT").or_else(|| {
        profile
            .and_then(|p| p.get("use_fips_endpoint"))
            .map(str::to_owned)
    });
    value.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MemoryEnvironment;

    #[test]
    fn table_is_the_reference_list() {
        let by_partition = |p: Partition| {
            Region::all()
                .filter(|r| r.partition() == p)
                .map(Region::name)
                .collect::<Vec<_>>()
        };
        assert_eq!(by_partition(Partition::Aws).len(), 25);
        assert_eq!(
            by_partition(Partition::AwsCn),
            ["cn-north-1", "cn-northwest-1"]
        );
        assert_eq!(
            by_partition(Partition::AwsUsGov),
            ["us-gov-east-1", "us-gov-west-1"]
        );
        let mut names: Vec<_> = Region::all().map(Region::name).collect();
        names.dedup();
        assert_eq!(names.len(), 29, "no duplicates");
    }

    #[test]
    fn hosts_per_partition() {
        let host = |r: &str| GitHost::for_region(Region::new(r).unwrap(), false).unwrap();
        assert_eq!(
            host("us-gov-west-1").as_str(),
            "git-codecommit.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            host("cn-north-1").as_str(),
            "git-codecommit.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            host("eu-west-1").as_str(),
            "git-codecommit.eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn fips_hosts_only_where_documented() {
        let fips: Vec<_> = Region::all()
            .filter(|r| r.has_fips_git_host())
            .map(Region::name)
            .collect();
        assert_eq!(
            fips,
            [
                "ca-central-1",
                "us-east-1",
                "us-east-2",
                "us-west-1",
                "us-west-2",
                "us-gov-west-1"
            ]
        );
        let err = GitHost::for_region(Region::new("eu-west-1").unwrap(), true).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FipsNotAvailable);
        assert!(err.to_string().contains("CODE_COMMIT_ENDPOINT"));
    }

    #[test]
    fn override_is_verbatim_even_when_empty_and_beats_fips() {
        let region = Region::new("us-east-1").unwrap();
        for value in ["", "127.0.0.1:8443", "UPPER.example"] {
            let env = MemoryEnvironment::new()
                .with_var("CODE_COMMIT_ENDPOINT", value)
                .with_var("AWS_USE_FIPS_ENDPOINT", "true");
            let host = GitHost::resolve(&env, None, region).unwrap();
            assert_eq!(host.as_str(), value);
            assert_eq!(host.source(), HostSource::Override);
        }
    }

    #[test]
    fn fips_from_env_is_case_insensitive() {
        let region = Region::new("us-east-1").unwrap();
        for (value, fips) in [
            ("true", true),
            ("TRUE", true),
            ("True", true),
            ("1", false),
            ("false", false),
            ("", false),
        ] {
            let env = MemoryEnvironment::new().with_var("AWS_USE_FIPS_ENDPOINT", value);
            let host = GitHost::resolve(&env, None, region).unwrap();
            assert_eq!(host.source() == HostSource::Fips, fips, "{value:?}");
        }
    }

    /// Both directions against each other: every host we build parses back to the
    /// region and FIPS setting that built it.
    #[test]
    fn every_host_we_build_parses_back() {
        let mut built = 0;
        for region in Region::all() {
            for fips in [false, true] {
                let Ok(host) = GitHost::for_region(region, fips) else {
                    assert!(fips && !region.has_fips_git_host());
                    continue;
                };
                let parts = GitHost::parse(host.as_str())
                    .unwrap_or_else(|| panic!("{host} does not parse"));
                assert_eq!(parts.region().unwrap(), region, "{host}");
                assert_eq!(parts.fips(), fips, "{host}");
                assert!(!parts.vpc_endpoint(), "{host}");
                // And what the parts say builds the same host again.
                assert_eq!(
                    GitHost::for_region(parts.region().unwrap(), parts.fips()).unwrap(),
                    host
                );
                built += 1;
            }
        }
        assert_eq!(built, 29 + 6);
    }

    #[test]
    fn codecommit_hosts_give_their_parts() {
        for (host, region, fips, vpce) in [
            (
                "git-codecommit.us-east-1.amazonaws.com",
                "us-east-1",
                false,
                false,
            ),
            (
                "git-codecommit-fips.us-gov-west-1.amazonaws.com",
                "us-gov-west-1",
                true,
                false,
            ),
            (
                "git-codecommit.cn-north-1.amazonaws.com.cn",
                "cn-north-1",
                false,
                false,
            ),
            (
                "vpce-0b7d2939f8a7c5a3a-abcdefgh.git-codecommit.eu-west-1.vpce.amazonaws.com",
                "eu-west-1",
                false,
                true,
            ),
            (
                "git-codecommit.eu-west-1.vpce.amazonaws.com",
                "eu-west-1",
                false,
                true,
            ),
            (
                "git-codecommit.EU-West-1.amazonaws.com",
                "EU-West-1",
                false,
                false,
            ),
        ] {
            let parts = GitHost::parse(host).expect(host);
            assert_eq!(parts.region_name(), region, "{host}");
            assert_eq!((parts.fips(), parts.vpc_endpoint()), (fips, vpce), "{host}");
            assert_eq!(parts.region().unwrap().name(), region.to_ascii_lowercase());
        }
        let unknown = GitHost::parse("git-codecommit.xx-nowhere-1.amazonaws.com").unwrap();
        assert_eq!(
            unknown.region().unwrap_err().kind(),
            ErrorKind::RegionNotAvailable
        );
    }

    #[test]
    fn other_hosts_are_not_codecommit_hosts() {
        for host in [
            "github.com",
            "git-codecommit.us-east-1.amazonaws.com.example.net",
            "evil.git-codecommit.us-east-1.amazonaws.com",
            "git-codecommit.amazonaws.com",
            "git-codecommit..amazonaws.com",
            "codecommit.us-east-1.amazonaws.com",
            "git-codecommit.us-east-1.example.com",
            "vpce-.git-codecommit.us-east-1.amazonaws.com",
            "git-codecommit.us-east-1.amazonaws.com:443",
            "127.0.0.1",
            "",
        ] {
            assert_eq!(GitHost::parse(host), None, "{host}");
        }
    }

    #[test]
    fn region_match_is_exact() {
        for name in [
            "US-EAST-1",
            " us-east-1",
            "us-east-1 # prod",
            "",
            "fips",
            "us-east-1-fips",
        ] {
            assert_eq!(
                Region::new(name).unwrap_err().kind(),
                ErrorKind::RegionNotAvailable,
                "{name:?}"
            );
        }
    }
}
