//! The `vendorcard` command: parse the arguments, call the library, print what happened and
//! map the outcome to an exit code (0 success, 1 invalid input, 2 usage or I/O error, 3 a gate
//! tripped).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use vendorcard::ci;
use vendorcard::diagnostics::Diagnostic;
use vendorcard::gates::Gate;
use vendorcard::{BuildOptions, Error, Progress, Summary};

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
        /// The output folder [default: DIR/public, or DIR/vendor-sites/ID with --vendor].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Where the site will be hosted, for canonical links, link previews and sitemap.xml
        /// [default: base_url of vendorcard.yaml].
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// The day the site is built for, YYYY-MM-DD [default: the system date].
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
        /// Write the site of this vendor alone, safe to send to them.
        #[arg(long, value_name = "ID")]
        vendor: Option<String>,
        /// Replace an output folder that vendorcard did not write.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        gates: Gates,
    },
    /// Validate the project and work out every number; write nothing.
    Check {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The day to judge deadlines against, YYYY-MM-DD [default: the system date].
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
        /// How problems are printed: for people, as GitHub annotations, or as JSON.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        gates: Gates,
    },
    /// Write a small starter project that builds at once.
    Init {
        /// The folder to write it in; created when missing.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
struct Gates {
    /// Exit with code 3 when a condition holds once the numbers are worked out:
    /// grade:<grade> (a vendor at that grade or worse), alert:high|medium|low (an alert that
    /// severe or worse), kind:<alert kind>, or credits (a credit owed for the latest period).
    /// Repeat it or separate conditions with commas.
    #[arg(long = "fail-on", value_name = "CONDITION", value_delimiter = ',')]
    fail_on: Vec<Gate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Github,
    Json,
}

/// `--today`: in the years a contract may be written for, since every month from a term's start
/// to it is scored and written (a day of 9999 would write gigabytes of empty months).
fn parse_day(text: &str) -> Result<NaiveDate, String> {
    use chrono::Datelike as _;
    use vendorcard::load::contracts::CONTRACT_YEARS;

    let day = vendorcard::load::dates::parse_date(text)?;
    if CONTRACT_YEARS.contains(&day.year()) {
        Ok(day)
    } else {
        Err(format!(
            "{day} is not a day to build a site for: expected one in the years {} to {}",
            CONTRACT_YEARS.start(),
            CONTRACT_YEARS.end()
        ))
    }
}

/// Progress on stderr; results on stdout. Problems are printed for people as they come, or
/// kept to be printed as annotations or JSON at the end.
struct Terminal {
    quiet: bool,
    colour: bool,
    format: Format,
    warnings: Vec<Diagnostic>,
}

impl Terminal {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }

    fn problem(&self, diagnostic: &Diagnostic) {
        let text = diagnostic.to_string();
        let (label, rest) = text.split_once(':').unwrap_or(("", &text));
        let code = if label == "error" { "1;31" } else { "1;33" };
        for (index, line) in rest.lines().enumerate() {
            let line = ci::inert(line);
            if index == 0 {
                let _ = writeln!(std::io::stderr(), "{}:{line}", self.paint(code, label));
            } else {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
        }
    }

    fn error(&self, message: &str) {
        // An error's causes follow it one per line.
        let lines: Vec<String> = message.lines().map(ci::log_line).collect();
        let _ =
            writeln!(std::io::stderr(), "{}: {}", self.paint("1;31", "error"), lines.join("\n"));
    }
}

/// A line of the log; the log of a CI job may hold text from the inputs, which must not act as
/// a workflow command there nor reach the terminal as control characters.
fn say(out: &mut dyn Write, line: &str) {
    let _ = writeln!(out, "{}", ci::log_line(line));
}

impl Progress for Terminal {
    fn stage(&mut self, line: &str) {
        if !self.quiet {
            say(&mut std::io::stderr(), line);
        }
    }

    fn warning(&mut self, warning: &Diagnostic) {
        match self.format {
            Format::Human if !self.quiet => self.problem(warning),
            Format::Human => {}
            Format::Github | Format::Json => self.warnings.push(warning.clone()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let format = match &cli.command {
        Command::Check { format, .. } => *format,
        Command::Build { .. } | Command::Init { .. } => Format::Human,
    };
    let mut terminal = Terminal { quiet: cli.quiet, colour, format, warnings: Vec::new() };
    let today =
        |given: Option<NaiveDate>| given.unwrap_or_else(|| chrono::Local::now().date_naive());

    let (project, outcome) = match cli.command {
        Command::Build { dir, out, base_url, today: day, vendor, force, gates } => {
            let options = BuildOptions {
                project: dir.clone(),
                out,
                today: today(day),
                force,
                base_url,
                vendor,
                gates: distinct(gates.fail_on),
            };
            let outcome = vendorcard::build(&options, &mut terminal);
            append_step_summary("build", &outcome, &terminal);
            (dir, outcome)
        }
        Command::Check { dir, today: day, gates, .. } => {
            let outcome =
                vendorcard::check(&dir, today(day), &distinct(gates.fail_on), &mut terminal);
            // A pipeline may gate with `check` alone: its run page shows the same summary.
            append_step_summary("check", &outcome, &terminal);
            (dir, outcome)
        }
        Command::Init { dir } => return init(&dir, &terminal),
    };

    match format {
        Format::Human => human(&outcome, &terminal),
        Format::Github => github(&outcome, &project, &terminal),
        Format::Json => json(&outcome, &project, &terminal),
    }
    exit_code(&outcome)
}

/// The gates asked for, each once.
fn distinct(gates: Vec<Gate>) -> Vec<Gate> {
    let mut kept: Vec<Gate> = Vec::new();
    for gate in gates {
        if !kept.contains(&gate) {
            kept.push(gate);
        }
    }
    kept
}

fn exit_code(outcome: &Result<Summary, Error>) -> ExitCode {
    ExitCode::from(code(outcome))
}

fn code(outcome: &Result<Summary, Error>) -> u8 {
    match outcome {
        Ok(summary) if summary.tripped.is_empty() => 0,
        Ok(_) => 3,
        Err(error) => error.exit_code(),
    }
}

fn problems(outcome: &Result<Summary, Error>) -> &[Diagnostic] {
    match outcome {
        Err(Error::Invalid(problems)) => problems,
        _ => &[],
    }
}

fn human(outcome: &Result<Summary, Error>, terminal: &Terminal) {
    match outcome {
        Ok(summary) => {
            if !terminal.quiet {
                say(&mut std::io::stdout(), &summary.line);
            }
            for gate in &summary.tripped {
                terminal.error(&gate.to_string());
            }
        }
        Err(error) => {
            for problem in problems(outcome) {
                terminal.problem(problem);
            }
            terminal.error(&error.to_string());
        }
    }
}

/// One workflow command per problem, which GitHub shows on the line of the file it names.
fn github(outcome: &Result<Summary, Error>, project: &Path, terminal: &Terminal) {
    let mut out = std::io::stdout().lock();
    let warnings = terminal.warnings.iter().filter(|_| !terminal.quiet);
    for problem in warnings.chain(problems(outcome)) {
        let _ = writeln!(out, "{}", ci::annotation(problem, project));
    }
    match outcome {
        Ok(summary) => {
            for gate in &summary.tripped {
                let _ = writeln!(out, "::error::{}", ci::data(&gate.to_string()));
            }
            if !terminal.quiet {
                say(&mut out, &summary.line);
            }
        }
        Err(error) => {
            let _ = writeln!(out, "::error::{}", ci::data(&error.to_string()));
        }
    }
}

fn json(outcome: &Result<Summary, Error>, project: &Path, terminal: &Terminal) {
    let all: Vec<&Diagnostic> = terminal.warnings.iter().chain(problems(outcome)).collect();
    let (summary, tripped, error) = match outcome {
        Ok(summary) => (Some(summary.line.as_str()), summary.tripped.as_slice(), None),
        Err(error) => (None, &[][..], Some(error.to_string())),
    };
    let report = ci::json_report(project, &all, tripped, summary, error.as_deref(), code(outcome));
    let _ = writeln!(std::io::stdout(), "{report}");
}

/// On GitHub Actions, the job's run page shows the markdown appended to this file: the
/// scorecards of a build or a check, or why it failed.
fn append_step_summary(run: &str, outcome: &Result<Summary, Error>, terminal: &Terminal) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let text = match outcome {
        Ok(summary) => summary.step_summary.clone(),
        Err(error) => {
            vendorcard::render::step_summary::failed(run, &error.to_string(), problems(outcome))
        }
    };
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    if let Err(error) = appended {
        let shown = Path::new(&path).display().to_string();
        let _ = writeln!(
            std::io::stderr(),
            "{}: could not append the summary to GITHUB_STEP_SUMMARY ({shown}): {error}; the {run} went on without it",
            terminal.paint("1;33", "warning")
        );
    }
}

fn init(dir: &Path, terminal: &Terminal) -> ExitCode {
    match vendorcard::init::init(dir) {
        Ok(paths) => {
            if !terminal.quiet {
                for path in &paths {
                    let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
                }
                let shown = dir.display().to_string();
                let quoted = if shown.contains(char::is_whitespace) {
                    format!("\"{shown}\"")
                } else {
                    shown.clone()
                };
                let _ = writeln!(
                    std::io::stdout(),
                    "a starter project is in {shown}: `vendorcard build {quoted}` writes its site to {}",
                    dir.join("public").display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            terminal.error(&error.to_string());
            ExitCode::from(error.exit_code())
        }
    }
}
