//! The `storefront` binary: its commands, and one clear line for every start-up failure.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::helpers::TEST_JWT_SECRET;

/// The binary, run in a temp folder with a clean configuration.
fn storefront(dir: &TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_storefront"));
    command
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("STOREFRONT_DATA_DIR", dir.path().join("data"))
        .env("STOREFRONT_SEED", "none")
        .stdin(Stdio::null());
    command
}

/// Asserts a failed start with exactly one line on stderr, and returns that line.
fn one_line_failure(output: Output) -> String {
    assert!(!output.status.success(), "should fail: {output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    lines[0].to_owned()
}

#[test]
fn schema_command_prints_the_sdl() {
    let dir = tempfile::tempdir().unwrap();
    let output = storefront(&dir).arg("schema").output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        storefront::graphql::sdl()
    );
}

#[test]
fn migrate_is_idempotent_and_keys_create_prints_the_key_alone() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let output = storefront(&dir).arg("migrate").output().unwrap();
        assert!(output.status.success(), "{output:?}");
    }
    assert!(dir.path().join("data/storefront.db").exists());
    let output = storefront(&dir)
        .args(["keys", "create", "secret", "--name", "mailer"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    assert!(
        stdout.starts_with("sk_") && stdout.trim().len() == 67,
        "{stdout}"
    );
}

#[test]
fn an_unsupported_database_url_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = storefront(&dir)
        .env("DATABASE_URL", "mysql://root:hunter2@localhost/shop")
        .output()
        .unwrap();
    let line = one_line_failure(output);
    assert_eq!(
        line,
        "error: DATABASE_URL `mysql://root:***@localhost/shop` is not supported: \
         use sqlite://PATH or postgres://USER@HOST:PORT/DB"
    );
}

#[test]
fn an_unreachable_postgres_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = storefront(&dir)
        .env("DATABASE_URL", "postgres://shop:hunter2@127.0.0.1:1/shop")
        .output()
        .unwrap();
    let line = one_line_failure(output);
    assert!(
        line.starts_with(
            "error: cannot connect to PostgreSQL at postgres://shop:***@127.0.0.1:1/shop: "
        ),
        "{line}"
    );
    assert!(!line.contains("hunter2"), "{line}");
}

#[test]
fn an_unusable_data_folder_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: refused even for root, unlike permission bits.
    std::fs::write(dir.path().join("blocked"), b"").unwrap();
    let output = storefront(&dir)
        .env("DATABASE_URL", "sqlite://blocked/shop.db")
        .output()
        .unwrap();
    let line = one_line_failure(output);
    assert!(
        line.starts_with("error: cannot use the data folder `blocked`: "),
        "{line}"
    );
    assert!(line.ends_with("(choose a writable location with DATABASE_URL=sqlite://PATH)"));
}

#[test]
fn production_without_secrets_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = storefront(&dir)
        .env("STOREFRONT_ENV", "production")
        .output()
        .unwrap();
    assert_eq!(
        one_line_failure(output),
        "error: STOREFRONT_ENV=production needs STOREFRONT_JWT_SECRET and STOREFRONT_SMTP_URL set explicitly"
    );
}

#[test]
fn a_port_in_use_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let output = storefront(&dir)
        .env("STOREFRONT_BIND", addr.to_string())
        .output()
        .unwrap();
    let line = one_line_failure(output);
    assert!(
        line.starts_with(&format!("error: cannot listen on {addr}: ")),
        "{line}"
    );
    assert!(line.contains("STOREFRONT_BIND"), "{line}");
}

/// SIGTERM lets a request that is still arriving finish, then the process exits cleanly.
#[test]
fn sigterm_finishes_in_flight_requests() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut command = storefront(&dir);
    command
        .env("STOREFRONT_BIND", format!("127.0.0.1:{port}"))
        .env("STOREFRONT_JWT_SECRET", TEST_JWT_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    let mut stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => break stream,
            Err(_) if started.elapsed() < Duration::from_secs(30) => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(e) => panic!("server never listened: {e}"),
        }
    };
    let body = r#"{"query":"{ shop { name } }"}"#;
    let (first, rest) = body.split_at(10);
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(rest.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(r#"{"data":{"shop":{"name":"Storefront Demo"}}}"#),
        "{response}"
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
}

#[test]
fn seed_reports_what_it_made_and_a_rerun_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let output = storefront(&dir)
            .args(["seed", "--products", "60", "--customers", "3"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stderr).unwrap()
    };
    let first = run();
    assert!(first.contains(" 60 products"), "{first}");
    assert!(first.contains(" 3 customers"), "{first}");
    let second = run();
    assert!(
        second.contains(" 0 products") && second.contains(" 0 customers"),
        "{second}"
    );
}
