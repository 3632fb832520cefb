//! A TCP proxy that can black-hole its connections: after [`FreezeProxy::freeze`], every
//! connection made so far stays open but carries nothing more in either direction, the way
//! a connection looks when a NAT forgot it or the far host vanished. Later connections pass
//! normally.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The proxy.
#[derive(Clone)]
pub struct FreezeProxy {
    /// Where it listens.
    pub addr: SocketAddr,
    generation: Arc<AtomicU64>,
}

impl FreezeProxy {
    /// Starts a proxy to `target` on a free loopback port.
    pub async fn start(target: SocketAddr) -> FreezeProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port for the proxy");
        let proxy =
            FreezeProxy { addr: listener.local_addr().expect("an address"), generation: Arc::default() };
        let generation = proxy.generation.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(target).await else { continue };
                let born = generation.load(Ordering::SeqCst);
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pipe(client_read, server_write, generation.clone(), born));
                tokio::spawn(pipe(server_read, client_write, generation.clone(), born));
            }
        });
        proxy
    }

    /// Black-holes every connection made so far.
    pub fn freeze(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    generation: Arc<AtomicU64>,
    born: u64,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buffer).await else { return };
        if n == 0 {
            return;
        }
        if generation.load(Ordering::SeqCst) != born {
            // Frozen: keep both sockets open and forward nothing, for ever.
            std::future::pending::<()>().await;
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}
