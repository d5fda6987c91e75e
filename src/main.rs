#[tokio::main]
async fn main() -> std::process::ExitCode {
    // `Cli::parse` with a server's `--config FILE` applied.
    let cli = shenguan::config_file::parse();
    shenguan::cli::init_logging(&cli.log_format, cli.command.draws_terminal());
    match shenguan::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 / error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
