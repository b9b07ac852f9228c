//! Creates a platform-admin account in the table named by `TABLE_NAME`, with the AWS credentials and region
//! an operator's machine has (environment, profile, SSO: aws-config's whole chain, which the functions
//! themselves do without; or `AWS_ENDPOINT_URL` for an emulator): the one step of a new deployment no API
//! can do.
//!
//! `TABLE_NAME=nudge-Table cargo run -p nudge-local --bin platform-admin -- ops@example.com < password.txt`

use nudge_core::store::{CursorCodec, Store};
use nudge_local::LocalError;
use std::io::Read;
use std::process::ExitCode;

async fn run() -> Result<(), LocalError> {
    let email =
        std::env::args().nth(1).ok_or_else(|| LocalError::Setup("usage: platform-admin <email> < password".into()))?;
    let table = std::env::var("TABLE_NAME").map_err(|_| LocalError::Setup("TABLE_NAME is not set".into()))?;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).map_err(LocalError::io("reading the password from stdin"))?;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(nudge_core::config::https_client())
        .load()
        .await;
    // Cursors are never issued here; the codec only needs some key.
    let store = Store::new(aws_sdk_dynamodb::Client::new(&sdk), table, CursorCodec::new(b"unused".to_vec()));
    let admin = nudge_local::bootstrap::platform_admin(&store, &email, password.trim_end_matches(['\n', '\r'])).await?;
    println!("platform admin {} created ({})", admin.email, admin.id);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("platform-admin: {e}");
            ExitCode::FAILURE
        }
    }
}
