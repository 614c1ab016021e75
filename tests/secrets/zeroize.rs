//! Zeroize on drop.

use super::*;

// What a test can observe: a global allocator that, while armed with a needle, looks at
// every block as it is freed and counts the blocks that still hold the needle. Freeing a
// value that zeroizes its secrets frees blocks of zeros; freeing one that does not frees
// blocks that still spell the secret. It cannot see copies that were never freed (still
// live), registers or the stack, or blocks freed by another thread after the window; and
// a value that derives data from a secret (the signing key's HMAC state) holds no needle
// to look for. The control at the start of the test proves the scanner sees a plain
// String.

struct Scanning;

static ARMED: AtomicBool = AtomicBool::new(false);
static NEEDLE: Mutex<[u8; 32]> = Mutex::new([0; 32]);
static NEEDLE_LEN: AtomicUsize = AtomicUsize::new(0);
static FOUND: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) {
            let len = NEEDLE_LEN.load(Ordering::SeqCst);
            // try_lock: never block inside the allocator.
            if let Ok(needle) = NEEDLE.try_lock() {
                // SAFETY: the block is still allocated, `layout.size()` bytes long.
                let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
                if len > 0 && block.windows(len).any(|w| w == &needle[..len]) {
                    FOUND.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Scanning = Scanning;

/// One window at a time: the needle is global.
static WINDOW: Mutex<()> = Mutex::new(());

/// Counts the freed blocks that still hold `needle` while `drop_it` runs.
pub(crate) fn freed_copies(needle: &str, drop_it: impl FnOnce()) -> usize {
    let _window = WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    {
        let mut n = NEEDLE.lock().unwrap();
        n[..needle.len()].copy_from_slice(needle.as_bytes());
    }
    NEEDLE_LEN.store(needle.len(), Ordering::SeqCst);
    FOUND.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    drop_it();
    ARMED.store(false, Ordering::SeqCst);
    FOUND.load(Ordering::SeqCst)
}

#[test]
fn owned_secrets_are_zeroized_on_drop() {
    // The control: a plain String is freed with its bytes intact, and the scanner sees it.
    let plain = String::from("SENTINEL-Z-CONTROL");
    assert_eq!(
        freed_copies("SENTINEL-Z-CONTROL", || drop(plain)),
        1,
        "the scanner works"
    );

    // SignedUrl: its text holds the session token.
    let repository = RepositoryName::new("Repo").unwrap();
    let signer = Signer::new();
    let url = signer.sign(&UrlRequest {
        access_key_id: "AKID",
        secret_access_key: "SENTINEL-Z-SIGNER",
        session_token: Some("SENTINEL-Z-URL"),
        region: "eu-west-1",
        host: "git-codecommit.eu-west-1.amazonaws.com",
        repository: &repository,
        time: SigningTime::from_unix(NOW as i64).unwrap(),
    });
    let moved_out = url.clone().into_string();
    assert_eq!(freed_copies("SENTINEL-Z-URL", || drop(url)), 0, "SignedUrl");
    // into_string hands the text over: the caller owns it, and a plain String is not
    // zeroized (documented on SignedUrl::into_string).
    assert_eq!(
        freed_copies("SENTINEL-Z-URL", || drop(moved_out)),
        1,
        "into_string's String"
    );

    // A real session token is ~1,000 characters, and the URL's drop wipes it a machine
    // word at a time: no piece of it, nor of the password, may survive, whatever the
    // URL's length (so whatever the unaligned head and tail of the wipe).
    let long_token: String = (0..1000)
        .map(|i| b"AZaz09+/=_-.~"[i % 13] as char)
        .collect();
    let long_token = format!("SENTINEL-Z-HEAD{long_token}SENTINEL-Z-TAIL");
    for name in [
        "R",
        "Re",
        "Rep",
        "Repo",
        "Repo5",
        "Repo-6",
        "Repo--7",
        "Repo---8",
        "Repo----9",
    ] {
        let repository = RepositoryName::new(name).unwrap();
        let url = signer.sign(&UrlRequest {
            access_key_id: "AKID",
            secret_access_key: "SENTINEL-Z-SIGNER",
            session_token: Some(&long_token),
            region: "eu-west-1",
            host: "git-codecommit.eu-west-1.amazonaws.com",
            repository: &repository,
            time: SigningTime::from_unix(NOW as i64).unwrap(),
        });
        let password = url.password().to_owned();
        let middle = url.username()[500..532].to_owned();
        let path = url.path().to_owned();
        for needle in [
            "SENTINEL-Z-HEAD",
            "SENTINEL-Z-TAIL",
            &password[password.len() - 32..],
            &middle,
            &path,
        ] {
            let url = url.clone();
            assert_eq!(freed_copies(needle, || drop(url)), 0, "long token, {name}");
        }
    }

    // Signer: its key cache keeps the secret to compare against.
    assert_eq!(
        freed_copies("SENTINEL-Z-SIGNER", || drop(signer)),
        0,
        "Signer's key cache"
    );

    // Credentials (aws-credential-types keeps every field in Zeroizing).
    let credentials = Credentials::new(
        "AKID",
        "SENTINEL-Z-CREDS",
        Some("SENTINEL-Z-TOKEN".into()),
        None,
        "t",
    );
    let clone = credentials.clone();
    assert_eq!(
        freed_copies("SENTINEL-Z-CREDS", || drop(credentials)),
        0,
        "a clone keeps them alive"
    );
    assert_eq!(
        freed_copies("SENTINEL-Z-CREDS", || drop(clone)),
        0,
        "Credentials"
    );

    // HttpRequest (bearer header, refresh-token body) and HttpResponse (credentials).
    let request = HttpRequest::post("http://127.0.0.1:1/token", b"SENTINEL-Z-BODY".to_vec())
        .header("x-amz-sso_bearer_token", "SENTINEL-Z-BEARER");
    let copy = request.clone();
    assert_eq!(
        freed_copies("SENTINEL-Z-BEARER", || drop(request)),
        0,
        "HttpRequest header"
    );
    assert_eq!(
        freed_copies("SENTINEL-Z-BODY", || drop(copy)),
        0,
        "HttpRequest body"
    );
    let response = HttpResponse::new(200, b"{\"secretAccessKey\": \"SENTINEL-Z-RESPONSE\"}");
    assert_eq!(
        freed_copies("SENTINEL-Z-RESPONSE", || drop(response)),
        0,
        "HttpResponse"
    );

    // SharedConfig: every parsed value.
    let shared = SharedConfig::from_sources(
        None,
        Some(b"[p]\naws_access_key_id = AKID\naws_secret_access_key = SENTINEL-Z-CONFIG\n"),
    )
    .unwrap();
    assert_eq!(
        freed_copies("SENTINEL-Z-CONFIG", || drop(shared)),
        0,
        "SharedConfig"
    );

    // A Resolution, and a Resolver with its cached config and signing keys; the
    // environment (the test's own MemoryEnvironment, which keeps file bytes as given) is
    // taken out of the window.
    let env = Arc::new(
        memory()
            .with_file(
                format!("{HOME}/.aws/config"),
                "[profile p]\nregion = eu-west-1\n",
            )
            .with_file(
                format!("{HOME}/.aws/credentials"),
                "[p]\naws_access_key_id = AKID\naws_secret_access_key = SENTINEL-Z-RESOLVER\n",
            ),
    );
    let resolver = Resolver::with_environment(Arc::clone(&env));
    let url = resolver
        .signed_url_at(
            "codecommit://p@Repo",
            SigningTime::from_unix(NOW as i64).unwrap(),
        )
        .unwrap();
    let resolution = resolver.resolve("codecommit://p@Repo").unwrap();
    drop(url);
    assert_eq!(
        freed_copies("SENTINEL-Z-RESOLVER", || drop(resolution)),
        0,
        "Resolution"
    );
    assert_eq!(
        freed_copies("SENTINEL-Z-RESOLVER", || drop(resolver)),
        0,
        "Resolver"
    );
    drop(env);
}

/// Reads a real file through the OS environment once, so the scanner's window never
/// includes the first use of std's lazily initialised state.
#[test]
fn os_environment_reads_are_plain_bytes() {
    let dir = std::env::temp_dir().join(format!("codecommit-auth-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("f"), "x").unwrap();
    let read = OsEnvironment::new().read_file(&dir.join("f"), 10).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(read.as_deref(), Some(&b"x"[..]));
}
