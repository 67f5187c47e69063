//! The `vendorcard` command: parse the arguments, call the library, print what happened and
//! map the outcome to an exit code (0 success, 1 invalid input, 2 usage or I/O error).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use vendorcard::diagnostics::Diagnostic;
use vendorcard::{BuildOptions, Error, Progress};

#[derive(Debug, Parser)]
#[command(
    name = "vendorcard",
    version,
    about = "Vendor scorecards from outsourcing contracts and KPI exports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print errors only.
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the scorecard site.
    Build {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The output folder [default: DIR/public].
        #[arg(long)]
        out: Option<PathBuf>,
        /// The day the site is built for, YYYY-MM-DD [default: the system date].
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
        /// Replace an output folder that vendorcard did not write.
        #[arg(long)]
        force: bool,
    },
    /// Validate the project and work out every number; write nothing.
    Check {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The day to judge deadlines against, YYYY-MM-DD [default: the system date].
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
    },
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    vendorcard::load::dates::parse_date(text)
}

/// Progress and warnings on stderr; results go to stdout.
struct Terminal {
    quiet: bool,
    colour: bool,
}

impl Terminal {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }

    fn problem(&self, diagnostic: &Diagnostic) {
        let text = diagnostic.to_string();
        let (label, rest) = text.split_once(':').unwrap_or(("", &text));
        let code = if label == "error" { "1;31" } else { "1;33" };
        let _ = writeln!(std::io::stderr(), "{}:{rest}", self.paint(code, label));
    }
}

impl Progress for Terminal {
    fn stage(&mut self, line: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    }

    fn warning(&mut self, warning: &Diagnostic) {
        if !self.quiet {
            self.problem(warning);
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut terminal = Terminal { quiet: cli.quiet, colour };
    let today =
        |given: Option<NaiveDate>| given.unwrap_or_else(|| chrono::Local::now().date_naive());

    let outcome = match cli.command {
        Command::Build { dir, out, today: day, force } => {
            let options = BuildOptions { project: dir, out, today: today(day), force };
            vendorcard::build(&options, &mut terminal)
        }
        Command::Check { dir, today: day } => vendorcard::check(&dir, today(day), &mut terminal),
    };

    match outcome {
        Ok(summary) => {
            if !cli.quiet {
                let _ = writeln!(std::io::stdout(), "{}", summary.line);
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            if let Error::Invalid(problems) = &error {
                for problem in problems {
                    terminal.problem(problem);
                }
            }
            let _ = writeln!(std::io::stderr(), "{}: {error}", terminal.paint("1;31", "error"));
            ExitCode::from(error.exit_code())
        }
    }
}
