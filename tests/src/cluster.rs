//! A PostgreSQL cluster of a test's own, for tests that need a server configured in a way the
//! shared test server is not (TLS, say). It is started from the machine's PostgreSQL server
//! binaries (Debian's `postgresql` package, which `scripts/test` installs when missing) and
//! stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running cluster in a temporary folder.
pub struct Cluster {
    /// Its folder: `data/`, the socket, and whatever files a test put there.
    pub dir: PathBuf,
    /// The TCP port it listens on, on 127.0.0.1.
    pub port: u16,
    bin: PathBuf,
    as_postgres: bool,
    _tmp: tempfile::TempDir,
}

/// The newest PostgreSQL server binaries on the machine.
fn bin_dir() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    dirs.sort();
    dirs.pop().unwrap_or_else(|| {
        panic!("no PostgreSQL server binaries under /usr/lib/postgresql; run the suite with scripts/test, which installs them")
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl Cluster {
    /// Initialises a cluster (trust authentication, user `postgres`) and lets `prepare` add
    /// files and settings to its data folder before it starts with `options` (extra `-c`
    /// settings for `postgres`).
    pub fn start(prepare: impl FnOnce(&Path), options: &str) -> Cluster {
        let tmp = tempfile::Builder::new().prefix("roster-cluster-").tempdir().expect("a folder");
        let dir = tmp.path().to_path_buf();
        let as_postgres = is_root();
        let bin = bin_dir();
        let cluster = Cluster { dir, port: free_port(), bin, as_postgres, _tmp: tmp };
        let data = cluster.dir.join("data");
        cluster.own();
        cluster
            .run("initdb", &["-D", &data.to_string_lossy(), "-U", "postgres", "-A", "trust", "-E", "UTF8"]);
        prepare(&data);
        cluster.own();
        let settings = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off {options}",
            cluster.port,
            cluster.dir.display()
        );
        let log = cluster.dir.join("server.log");
        cluster.run(
            "pg_ctl",
            &["-D", &data.to_string_lossy(), "-l", &log.to_string_lossy(), "-w", "-o", &settings, "start"],
        );
        cluster
    }

    /// PostgreSQL refuses to run as root, and wants its files to be its own.
    fn own(&self) {
        if self.as_postgres {
            let status = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&self.dir).status();
            assert!(status.is_ok_and(|s| s.success()), "chown the cluster's folder");
        }
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres` with `query` appended (`?…`).
    pub fn url(&self, query: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres{query}", self.port)
    }

    /// A command running one of the server binaries, as the `postgres` user when we are root.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let output =
            self.command(program).args(args).current_dir(&self.dir).output().expect("the program runs");
        assert!(
            output.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ =
            self.command("pg_ctl").args(["-D", &data.to_string_lossy(), "-m", "immediate", "stop"]).output();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}
