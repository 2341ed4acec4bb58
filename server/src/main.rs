use std::process::ExitCode;

use clap::Parser;
use server::commands;
use server::config::{
    AdminCommand, AuditCommand, Cli, Command, DemoAction, KeysCommand, ReceiptCommand,
    ServeOptions, TokenCommand,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    server::telemetry::init(cli.global.log_format);
    server::allocator::return_large_blocks();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    // Scanning needs no database, and has exit codes of its own (1: prohibited data found).
    if let Some(Command::Scan(options)) = &cli.command {
        return runtime.block_on(server::scan_cli::run(options));
    }
    // `block_on` runs this future on the main thread, which therefore starts (and owns) the
    // private PostgreSQL: it lives exactly as long as this process.
    let result = runtime.block_on(async {
        match cli.command {
            None => commands::serve(&cli.global, &ServeOptions::from_env()?).await,
            Some(Command::Serve(options)) => commands::serve(&cli.global, &options).await,
            Some(Command::Demo {
                action: DemoAction::Load,
            }) => commands::demo_load(&cli.global).await,
            Some(Command::Admin {
                action: AdminCommand::Create { email, name },
            }) => commands::admin_create(&cli.global, &email, &name).await,
            Some(Command::Token {
                action:
                    TokenCommand::Create {
                        email,
                        name,
                        scope,
                        expires_in_days,
                    },
            }) => commands::token_create(&cli.global, &email, &name, &scope, expires_in_days).await,
            Some(Command::Audit {
                action: AuditCommand::Verify { checkpoints },
            }) => commands::audit_verify(&cli.global, checkpoints.as_deref()).await,
            Some(Command::Audit {
                action: AuditCommand::Export { after },
            }) => commands::audit_export(&cli.global, after).await,
            Some(Command::Keys {
                action: KeysCommand::Public,
            }) => commands::keys_public(&cli.global),
            Some(Command::Keys {
                action: KeysCommand::Rotate,
            }) => commands::keys_rotate(&cli.global),
            Some(Command::Keys {
                action: KeysCommand::Revoke { key_id, since },
            }) => commands::keys_revoke(&cli.global, &key_id, since.as_deref()),
            Some(Command::Keys {
                action: KeysCommand::RotateTotp,
            }) => commands::keys_rotate_totp(&cli.global).await,
            Some(Command::Receipt {
                action: ReceiptCommand::Verify { file },
            }) => commands::receipt_verify(&cli.global, &file),
            Some(Command::Postgres(options)) => commands::postgres(&cli.global, &options).await,
            Some(Command::Scan(_)) => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
