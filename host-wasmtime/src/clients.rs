//! Partner HTTP clients (Beluga, DispensePro, LifeFile): build the request, send it, hand the
//! raw answer back. They decide nothing: the outcome's class comes from the guest's
//! `parse_response`. Base URLs must be `https://`; plain `http://` is accepted only for a
//! loopback host outside production (the sandbox).

use crate::config::Environment;
use reqwest::Method;
use serde_json::Value;

/// A partner's raw answer.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    /// HTTP status (0 for a network error or timeout).
    pub status: u16,
    /// Body text (empty on a network error).
    pub body: String,
    /// Network error kind, when no answer came.
    pub network_error: Option<&'static str>,
}

/// Why a base URL is refused.
#[derive(Debug, thiserror::Error)]
#[error("partner base URL refused: {0}")]
pub struct UrlError(&'static str);

/// Checks a base URL: HTTPS, or HTTP on loopback outside production.
pub fn check_base_url(base: &str, env: Environment) -> Result<reqwest::Url, UrlError> {
    let url = reqwest::Url::parse(base).map_err(|_| UrlError("not a URL"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" => {
            let host = url.host_str().unwrap_or("");
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback && env != Environment::Production {
                Ok(url)
            } else {
                Err(UrlError(
                    "plain http is allowed only for a loopback sandbox outside production",
                ))
            }
        }
        _ => Err(UrlError("unsupported scheme")),
    }
}

/// How to authenticate a call.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `Authorization: Bearer`.
    Bearer(String),
    /// HTTP Basic plus extra headers (LifeFile).
    Basic {
        /// User.
        user: String,
        /// Password.
        password: String,
        /// Extra headers.
        headers: Vec<(String, String)>,
    },
    /// No authentication.
    None,
}

/// Sends one call; never fails: network problems come back as `status: 0`.
pub async fn send(
    http: &reqwest::Client,
    method: Method,
    url: reqwest::Url,
    auth: &Auth,
    body: Option<&Value>,
) -> RawAnswer {
    let mut request = http.request(method, url);
    match auth {
        Auth::Bearer(key) => request = request.bearer_auth(key),
        Auth::Basic {
            user,
            password,
            headers,
        } => {
            request = request.basic_auth(user, Some(password));
            for (k, v) in headers {
                request = request.header(k, v);
            }
        }
        Auth::None => {}
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            RawAnswer {
                status,
                body,
                network_error: None,
            }
        }
        Err(e) => RawAnswer {
            status: 0,
            body: String::new(),
            network_error: Some(if e.is_timeout() { "timeout" } else { "network" }),
        },
    }
}
