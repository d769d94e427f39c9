//! Plain HTTP/1.1 POSTs, one connection each: to the node's JSON-RPC port and to a provider's
//! resource endpoint.

use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::{body::Bytes, client::conn::http1, header, Method, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// An `http://host[:port][/path]` URL, without user info or query.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HttpUrl {
	host: String,
	port: u16,
	authority: String,
	path: String,
}

impl HttpUrl {
	/// Parses `text`; an error says why it is not such a URL.
	pub fn parse(text: &str) -> Result<Self, String> {
		let uri: Uri = text.parse().map_err(|e| format!("{text}: not a URL: {e}"))?;
		if uri.scheme_str() != Some("http") {
			return Err(format!("{text}: only http:// URLs are supported"));
		}
		if uri.query().is_some() {
			return Err(format!("{text}: a URL with a query is not supported"));
		}
		let authority = uri.authority().ok_or_else(|| format!("{text}: no host"))?;
		if authority.as_str().contains('@') {
			return Err(format!("{text}: a URL with user info is not supported"));
		}
		let host = authority.host().trim_start_matches('[').trim_end_matches(']');
		if host.is_empty() {
			return Err(format!("{text}: no host"));
		}
		Ok(Self {
			host: host.to_owned(),
			port: authority.port_u16().unwrap_or(80),
			authority: authority.as_str().to_owned(),
			path: uri.path().trim_end_matches('/').to_owned(),
		})
	}

	/// The request path of `path` (which starts with `/`) under this URL's path.
	pub fn join(&self, path: &str) -> String {
		format!("{}{path}", self.path)
	}

	/// The request path of the URL itself (`/` when it has none).
	pub fn own_path(&self) -> String {
		if self.path.is_empty() {
			"/".to_owned()
		} else {
			self.path.clone()
		}
	}
}

/// POSTs `body` with `content_type` to `path` (a request path, see [`HttpUrl::join`]) at `url`
/// over a new connection, and returns the answer's status and body, refusing a body longer than
/// `limit` bytes. The whole exchange fails after `timeout`.
pub async fn post(
	url: &HttpUrl,
	path: &str,
	content_type: &str,
	body: Vec<u8>,
	limit: usize,
	timeout: Duration,
) -> Result<(StatusCode, Bytes), String> {
	match tokio::time::timeout(timeout, exchange(url, path, content_type, body, limit)).await {
		Ok(answer) => answer,
		Err(_) => Err(format!("{}: no answer within {timeout:?}", url.authority)),
	}
}

async fn exchange(
	url: &HttpUrl,
	path: &str,
	content_type: &str,
	body: Vec<u8>,
	limit: usize,
) -> Result<(StatusCode, Bytes), String> {
	let authority = url.authority.as_str();
	let stream = TcpStream::connect((url.host.as_str(), url.port))
		.await
		.map_err(|e| format!("{authority}: cannot connect: {e}"))?;
	// Small requests and answers: do not wait to fill packets.
	let _ = stream.set_nodelay(true);
	let (mut sender, connection) = http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
		.await
		.map_err(|e| format!("{authority}: HTTP: {e}"))?;
	let driver = tokio::spawn(async move {
		let _ = connection.await;
	});
	let request = Request::builder()
		.method(Method::POST)
		.uri(path)
		.header(header::HOST, authority)
		.header(header::CONTENT_TYPE, content_type)
		.body(Full::new(Bytes::from(body)))
		.map_err(|e| format!("{authority}: bad request: {e}"));
	let answer = match request {
		Ok(request) => send(&mut sender, request, limit).await,
		Err(error) => Err(error),
	};
	driver.abort();
	answer.map_err(|e| format!("{authority}: {e}"))
}

async fn send(
	sender: &mut http1::SendRequest<Full<Bytes>>,
	request: Request<Full<Bytes>>,
	limit: usize,
) -> Result<(StatusCode, Bytes), String> {
	sender.ready().await.map_err(|e| format!("HTTP: {e}"))?;
	let response = sender.send_request(request).await.map_err(|e| format!("HTTP: {e}"))?;
	let status = response.status();
	let body = Limited::new(response.into_body(), limit)
		.collect()
		.await
		.map(|collected| collected.to_bytes())
		.map_err(|e| format!("the answer's body failed or is longer than {limit} bytes: {e}"))?;
	Ok((status, body))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn urls_parse_to_host_port_and_path() {
		let url = HttpUrl::parse("http://127.0.0.1:9944").unwrap();
		assert_eq!((url.host.as_str(), url.port), ("127.0.0.1", 9944));
		assert_eq!(url.own_path(), "/");
		assert_eq!(url.join("/proof-of-sync/v1/lease/put"), "/proof-of-sync/v1/lease/put");
		let url = HttpUrl::parse("http://[::1]/base/").unwrap();
		assert_eq!((url.host.as_str(), url.port, url.authority.as_str()), ("::1", 80, "[::1]"));
		assert_eq!(url.join("/x"), "/base/x");
		assert_eq!(url.own_path(), "/base");
		for bad in ["ws://127.0.0.1:9944", "https://a", "http://a/?q=1", "http://u@a", "nope"] {
			assert!(HttpUrl::parse(bad).is_err(), "{bad} was accepted");
		}
	}
}
