//! The command line: `roster [serve|migrate|print-schema|demo|admin]`.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::app::Application;
use crate::settings::SettingsArgs;
use crate::telemetry;

/// Roster: a GraphQL API for organizations, teams, members and invitations.
///
/// Every setting can be given as a flag or through the environment variable shown.
#[derive(Debug, Parser)]
#[command(name = "roster", version)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings shared by all commands.
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve GraphQL (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate {
        /// List the migrations, applied and pending, and change nothing.
        #[arg(long)]
        status: bool,
    },
    /// Print the GraphQL schema (SDL) and exit.
    PrintSchema,
    /// Seed a demo organization (a team, verified members, pending invitations), print an
    /// admin token and what to try in GraphiQL, then serve.
    Demo,
    /// Operator tasks on the database, without a running server.
    Admin {
        /// The task.
        #[command(subcommand)]
        task: AdminTask,
    },
}

/// `roster admin` tasks.
#[derive(Debug, Subcommand)]
pub enum AdminTask {
    /// Create an organization and invite its first ADMIN: the invitation is mailed and its
    /// link printed once. Works with sign-up and organization creation closed.
    CreateOrganization {
        /// The organization's name.
        #[arg(long)]
        name: String,
        /// The first admin's email.
        #[arg(long)]
        admin: String,
    },
}

/// Runs the command line and returns the process's exit code.
pub async fn main() -> ExitCode {
    // Checked before parsing: in a release build clap would quietly hand a name claimed
    // twice to whichever argument it finds first.
    let command = Cli::command();
    if let Err(e) = crate::settings::check_unique_names(&command) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let telemetry = match telemetry::init(&cli.settings.telemetry()) {
        Ok(telemetry) => telemetry,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = match run(cli, &mut std::io::stdout()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    };
    // The spans of the last requests are still buffered.
    telemetry.shutdown();
    code
}

/// Runs a parsed command line, printing to `out`. Serving commands return when the server
/// stops.
pub async fn run(cli: Cli, out: &mut dyn std::io::Write) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve);
    let print =
        |out: &mut dyn std::io::Write, text: &str| out.write_all(text.as_bytes()).map_err(|e| e.to_string());
    if let Command::PrintSchema = command {
        return print(out, &crate::schema::sdl());
    }
    let settings = cli.settings.settings().map_err(|e| e.to_string())?;
    match command {
        Command::PrintSchema => Ok(()),
        Command::Migrate { status } => {
            let db =
                roster_db::Db::connect(&settings.database_url, &settings.pool).map_err(|e| e.to_string())?;
            if status {
                let lines = db.migration_status().await.map_err(|e| e.to_string())?;
                return print(out, &format!("{}\n", lines.join("\n")));
            }
            let applied = db.migrate().await.map_err(|e| e.to_string())?;
            tracing::info!(count = applied.len(), "migrations applied: {}", applied.join(", "));
            let conflicts = roster_identity::canonical_emails::fill(&db).await.map_err(|e| e.to_string())?;
            if conflicts.is_empty() {
                return Ok(());
            }
            // Older accounts whose addresses compare equal now: the operator decides.
            let mut report = String::from(
                "These accounts' email addresses are one address under comparison (NFKC, IDNA). The oldest keeps it; \
                 the others cannot sign in or be invited by email, and sign-up refuses the address, until you \
                 change or delete the accounts that wait, then run `roster migrate` again:\n",
            );
            for conflict in conflicts {
                report.push_str(&format!("  {conflict}\n"));
            }
            print(out, &report)
        }
        Command::Admin { task: AdminTask::CreateOrganization { name, admin } } => {
            print(out, &crate::admin::create_organization(&settings, &name, &admin).await?)
        }
        Command::Demo => {
            let app = Application::build(settings).await.map_err(|e| e.to_string())?;
            let (identity, invitations) = (app.identity_settings(), app.invitation_settings());
            let demo = crate::demo::seed(app.db(), identity, invitations).await.map_err(|e| e.to_string())?;
            println!("{}", crate::demo::instructions(&demo, &format!("http://{}", app.local_addr())));
            app.run_until_stopped(crate::app::shutdown_signal()).await.map_err(|e| e.to_string())
        }
        Command::Serve => {
            let app = Application::build(settings).await.map_err(|e| e.to_string())?;
            tracing::info!("listening on http://{} (GraphiQL at /graphiql/)", app.local_addr());
            if let Some(addr) = app.metrics_addr() {
                tracing::info!("metrics on http://{addr}/metrics");
            }
            app.run_until_stopped(crate::app::shutdown_signal()).await.map_err(|e| e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    /// The environment variables of the README's settings table.
    fn documented() -> std::collections::BTreeSet<String> {
        let readme = include_str!("../../../README.md");
        let section = readme.split("## Running it").nth(1).unwrap_or_default();
        let table = section.split("\n## ").next().unwrap_or_default();
        table
            .lines()
            .filter_map(|line| line.strip_prefix("| `")?.split('`').next())
            .filter(|name| name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_setting_of_roster_help_is_in_the_readme_table_and_back() {
        let command = super::Cli::command();
        let help: std::collections::BTreeSet<String> = command
            .get_arguments()
            .filter_map(|arg| arg.get_env())
            .map(|env| env.to_string_lossy().into_owned())
            .collect();
        let documented = documented();
        let undocumented: Vec<_> = help.difference(&documented).collect();
        assert!(undocumented.is_empty(), "in `roster --help`, not in the README's table: {undocumented:?}");
        // Read by the logging and OpenTelemetry libraries themselves, not flags of ours.
        let read_elsewhere = ["RUST_LOG", "OTEL_SERVICE_NAME"];
        let stale: Vec<_> = documented
            .iter()
            .filter(|name| !help.contains(*name) && !read_elsewhere.contains(&name.as_str()))
            .collect();
        assert!(stale.is_empty(), "in the README's table, not in `roster --help`: {stale:?}");
    }
}
