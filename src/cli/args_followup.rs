//! The command line's words for the follow-up year: the contact ledger, the
//! recruitment log, and the reports across cases and time.

use clap::Subcommand;

#[derive(Subcommand)]
pub enum ContactCommand {
    /// The contact rhythm: study-wide, or for one case with --case
    Plan {
        /// A contact every this many months from the first
        #[arg(long, value_name = "MONTHS")]
        every: Option<u32>,
        /// How many contact points in all
        #[arg(long)]
        points: Option<u32>,
        /// Only this case (its own rhythm)
        #[arg(long)]
        case: Option<String>,
        /// The case's follow-up start, if not its first session (YYYY-MM-DD; with --case)
        #[arg(long, requires = "case")]
        start: Option<String>,
    },
    /// A contact point that did not happen, and why
    Missed {
        case: String,
        point: u32,
        #[arg(long)]
        reason: String,
    },
    /// A contact point held only in part (a meeting without the person: "(x)")
    Partial {
        case: String,
        point: u32,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Take a missed or partial mark off a contact point
    Clear { case: String, point: u32 },
    /// The case left the follow-up (or, with --clear, did not after all)
    Dropout {
        case: String,
        /// YYYY-MM-DD
        #[arg(long, required_unless_present = "clear")]
        date: Option<String>,
        #[arg(long, required_unless_present = "clear")]
        reason: Option<String>,
        /// Take the dropout off: the case is in the follow-up again
        #[arg(long, conflicts_with_all = ["date", "reason"])]
        clear: bool,
    },
    /// Each case's contact points: due, kept, partial, missed
    List {
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum RecruitCommand {
    /// Log a person asked to take part, by a pseudonymous LABEL (their case code if they joined)
    Add {
        label: String,
        /// When they were asked, YYYY-MM-DD
        #[arg(long)]
        asked: String,
        /// joined, refused or no-answer
        #[arg(long)]
        outcome: String,
        /// Who asked, or how (caseworker, letter…)
        #[arg(long, default_value = "")]
        via: String,
        /// Why (a refusal's reason, as given)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The recruitment log, with counts by outcome
    List {
        #[arg(long)]
        json: bool,
    },
}
