//! The Host header check against DNS rebinding ([`HostCheck`]).

use std::net::IpAddr;

/// Which Host headers are let through: `localhost`, loopback addresses, and the bound
/// address, each with the bound port. When bound to all interfaces, any IP address with
/// the port (an IP literal cannot be rebound by DNS); never another host name.
#[derive(Debug, Clone)]
pub(crate) struct HostCheck {
    pub(crate) bind: IpAddr,
    pub(crate) port: u16,
}

impl HostCheck {
    pub(crate) fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host.map(str::trim) else {
            return false;
        };
        let (name, port) = match split_host(host) {
            Some(x) => x,
            None => return false,
        };
        let port_ok = match port {
            Some(p) => p == self.port,
            None => self.port == 80,
        };
        if !port_ok {
            return false;
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if name == "localhost" {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bind || self.bind.is_unspecified(),
            Err(_) => false,
        }
    }
}

/// `name:port`, `[v6]:port`, `name` → (name, port).
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = host.strip_prefix('[') {
        let (addr, after) = rest.split_once(']')?;
        return match after {
            "" => Some((addr, None)),
            p => Some((addr, Some(p.strip_prefix(':')?.parse().ok()?))),
        };
    }
    match host.rsplit_once(':') {
        Some((name, p)) if !name.contains(':') => Some((name, Some(p.parse().ok()?))),
        Some(_) => None,
        None => Some((host, None)),
    }
}
