//! `make token TENANT=<id> ROLE=<role>`: prints a signed access token alone on stdout, valid against the
//! running `make dev`. Without a tenant it prints a platform-admin token. Development only.

use nudge_core::auth::SystemRole;
use nudge_local::devkeys::DevKeys;
use nudge_local::root;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let tenant = args.next().filter(|t| !t.trim().is_empty());
    let role = args.next().filter(|r| !r.trim().is_empty()).unwrap_or_else(|| "admin".into());
    let (tenant, role) = match tenant {
        None => (None, SystemRole::PlatformAdmin),
        Some(t) => match (uuid::Uuid::parse_str(t.trim()), role.parse::<SystemRole>()) {
            (Ok(id), Ok(role)) if role != SystemRole::PlatformAdmin => (Some(id), role),
            (Err(_), _) => return fail(&format!("TENANT must be a tenant id (a UUID), not `{t}`")),
            (_, Err(e)) => {
                let names: Vec<_> = SystemRole::ALL.iter().map(|r| r.name()).collect();
                return fail(&format!("{e}; roles: {}", names.join(", ")));
            }
            (_, Ok(_)) => return fail("a platform-admin token has no tenant: leave TENANT out"),
        },
    };
    let issued = DevKeys::load_or_create(&root().join(".local"))
        .and_then(|keys| keys.issuer())
        .map_err(|e| e.to_string())
        .and_then(|issuer| {
            issuer.issue(uuid::Uuid::now_v7(), tenant, role, chrono::Duration::hours(12)).map_err(|e| e.to_string())
        });
    match issued {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("make token: {message}");
    ExitCode::from(2)
}
