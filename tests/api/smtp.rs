//! A small SMTP sink for tests: accepts every message on 127.0.0.1 and keeps it, so tests can
//! read the mail the server really sent over SMTP (plain, no TLS, no authentication).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One received message.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The DATA section: headers and body, dot-unstuffed.
    pub data: String,
}

impl ReceivedMail {
    /// The body with quoted-printable soft breaks and `=3D` undone (enough to find a link).
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }

    /// The value of header `name` (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let prefix = format!("{}:", name.to_ascii_lowercase());
        unfolded
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_owned())
    }

    /// Whether this is the "confirm your email" mail a registration sends.
    pub fn is_verification(&self) -> bool {
        self.header("Subject")
            .is_some_and(|s| s.starts_with("Confirm your email"))
    }

    /// The `token=` value of the first link in the mail.
    pub fn token(&self) -> String {
        let text = self.text();
        let start = text
            .find("token=")
            .unwrap_or_else(|| panic!("no token in {text}"))
            + "token=".len();
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect()
    }
}

/// A port nothing listens on (yet): a mail server that is down.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// A running sink; stops with the test's runtime.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// A sink on `port` (from [`free_port`]): the mail server that comes back after an outage.
    pub async fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind smtp sink");
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(socket, store).await;
                });
            }
        });
        Self { port, mails }
    }

    /// The URL to give the server as `STOREFRONT_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits until `count` password reset mails arrived (other mail, such as the notice of a
    /// password change, is left out) and returns them in order.
    pub async fn resets(&self, count: usize) -> Vec<ReceivedMail> {
        for _ in 0..300 {
            let resets: Vec<ReceivedMail> = self
                .mails()
                .into_iter()
                .filter(|m| {
                    m.header("Subject")
                        .is_some_and(|s| s.starts_with("Reset your"))
                })
                .collect();
            if resets.len() >= count {
                return resets;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} reset mails, got {:#?}", self.mails());
    }

    /// Waits until `count` mails other than the verification link every registration mails
    /// arrived, and returns those in order.
    pub async fn wait_besides_verification(&self, count: usize) -> Vec<ReceivedMail> {
        self.wait_matching(count, |m| !m.is_verification()).await
    }

    async fn wait_matching(
        &self,
        count: usize,
        keep: impl Fn(&ReceivedMail) -> bool,
    ) -> Vec<ReceivedMail> {
        for _ in 0..300 {
            let kept: Vec<ReceivedMail> = self.mails().into_iter().filter(&keep).collect();
            if kept.len() >= count {
                return kept;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} matching mails, got {:#?}", self.mails());
    }

    /// Waits until `count` mails arrived (mail leaves the server in the background).
    pub async fn wait_for(&self, count: usize) -> Vec<ReceivedMail> {
        for _ in 0..300 {
            let mails = self.mails();
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} mails, got {}", self.mails().len());
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<ReceivedMail>>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") {
            write
                .write_all(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                .await?;
        } else if command.starts_with("HELO") {
            write.write_all(b"250 sink\r\n").await?;
        } else if command.starts_with("MAIL FROM:") {
            from = line.trim_end()[10..].trim().to_owned();
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if command.starts_with("RCPT TO:") {
            to.push(line.trim_end()[8..].trim().to_owned());
            write.write_all(b"250 OK\r\n").await?;
        } else if command == "DATA" {
            write.write_all(b"354 end with .\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(unstuffed);
            }
            store.lock().unwrap().push(ReceivedMail {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            write.write_all(b"250 OK queued\r\n").await?;
        } else if command == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if command == "RSET" || command == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else {
            write.write_all(b"502 not implemented\r\n").await?;
        }
    }
}
