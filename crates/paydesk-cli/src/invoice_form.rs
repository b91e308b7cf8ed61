//! The flags `invoice create` and `invoice edit` share, and how they become an
//! [`InvoiceInput`]: create starts from the settings' defaults, edit from the stored invoice, and
//! only the flags given change anything. `--from-json` instead takes a whole `InvoiceInput` (the
//! same camelCase JSON the desktop app sends).
//!
//! Everything the command line itself can get wrong (a malformed `--line` or `--discount`, an
//! unreadable or non-UTF-8 file) is caught here, before the books are opened.

use std::path::PathBuf;

use clap::Args;
use paydesk_core::clock::{Clock, SystemClock};
use paydesk_core::{DiscountInput, Error, Invoice, InvoiceInput, LineItemInput, Paydesk};

use crate::clients;
use crate::context::Ctx;
use crate::input::{self, LINE_SHAPE};

/// The flags `--from-json` replaces.
const FORM_FLAGS: [&str; 11] = [
    "client",
    "lines",
    "currency",
    "issue_date",
    "due_date",
    "terms",
    "number",
    "discount",
    "notes",
    "notes_file",
    "terms_text",
];

/// `invoice create` flags.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The client: its id or exact name.
    #[arg(
        long,
        value_name = "ID_OR_EXACT_NAME",
        required_unless_present = "from_json"
    )]
    client: Option<String>,
    /// A line item; repeat for more lines. Write \; for a ; inside the description.
    #[arg(
        long = "line",
        value_name = LINE_SHAPE,
        required_unless_present = "from_json",
        allow_hyphen_values = true
    )]
    lines: Vec<String>,
    #[command(flatten)]
    fields: InvoiceFields,
    /// Read the whole invoice from a JSON file (`-` for stdin) in the app's camelCase
    /// InvoiceInput shape, instead of the flags above.
    #[arg(long, value_name = "FILE", conflicts_with_all = FORM_FLAGS)]
    from_json: Option<PathBuf>,
}

/// `invoice edit` flags.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The invoice: its number or id.
    pub invoice: String,
    /// A new client: its id or exact name.
    #[arg(long, value_name = "ID_OR_EXACT_NAME")]
    client: Option<String>,
    /// Replace ALL line items with these; repeat for more lines.
    #[arg(long = "line", value_name = LINE_SHAPE, allow_hyphen_values = true)]
    lines: Vec<String>,
    #[command(flatten)]
    fields: InvoiceFields,
    /// Replace the whole invoice with a JSON file (`-` for stdin) in the app's camelCase
    /// InvoiceInput shape.
    #[arg(long, value_name = "FILE", conflicts_with_all = FORM_FLAGS)]
    from_json: Option<PathBuf>,
}

/// Invoice fields that are optional for both create and edit.
#[derive(Debug, Args)]
pub struct InvoiceFields {
    /// Currency id, e.g. USDC-base or EUR [default: the settings' default currency].
    #[arg(long)]
    currency: Option<String>,
    /// Issue date [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    issue_date: Option<String>,
    /// Due date.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "terms")]
    due_date: Option<String>,
    /// Payment terms in days, 7, 14, 30 or 60: the due date follows the issue date
    /// [default: the settings' terms].
    #[arg(long, value_name = "DAYS")]
    terms: Option<u32>,
    /// A number of your own instead of the next one from the numbering pattern.
    #[arg(long)]
    number: Option<String>,
    /// Invoice discount: a percentage of the subtotal (10%) or a fixed amount (25.00).
    #[arg(long, value_name = "10%|25.00", allow_hyphen_values = true)]
    discount: Option<String>,
    /// Notes printed on the invoice.
    #[arg(long, allow_hyphen_values = true, conflicts_with = "notes_file")]
    notes: Option<String>,
    /// Read the notes from a UTF-8 file (`-` for stdin).
    #[arg(long, value_name = "PATH")]
    notes_file: Option<PathBuf>,
    /// Terms and conditions text printed on the invoice.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    terms_text: Option<String>,
}

/// When the invoice is due.
enum Due {
    Date(String),
    Terms(u32),
}

/// The given flags, parsed, with files read.
struct Form {
    client: Option<String>,
    lines: Option<Vec<LineItemInput>>,
    currency: Option<String>,
    issue_date: Option<String>,
    due: Option<Due>,
    number: Option<String>,
    discount: Option<DiscountInput>,
    notes: Option<String>,
    terms_text: Option<String>,
}

impl Form {
    fn read(
        client: Option<String>,
        lines: &[String],
        f: InvoiceFields,
        ctx: &mut Ctx<'_, '_>,
    ) -> Result<Form, Error> {
        let lines = if lines.is_empty() {
            None
        } else {
            let parsed = lines
                .iter()
                .enumerate()
                .map(|(i, l)| input::parse_line(i, l))
                .collect::<Result<Vec<_>, _>>()?;
            Some(parsed)
        };
        let discount = f
            .discount
            .as_deref()
            .map(input::parse_discount)
            .transpose()?;
        let notes =
            input::text_or_file(f.notes, f.notes_file.as_deref(), "notes-file", ctx.io.stdin)?;
        let due = match (f.due_date, f.terms) {
            (Some(d), _) => Some(Due::Date(d)),
            (None, Some(t)) => Some(Due::Terms(t)),
            (None, None) => None,
        };
        Ok(Form {
            client,
            lines,
            currency: f.currency,
            issue_date: f.issue_date,
            due,
            number: f.number,
            discount,
            notes,
            terms_text: f.terms_text,
        })
    }

    /// `base` with the given fields replaced; `--client` is looked up in `app`.
    fn apply(self, mut base: InvoiceInput, app: &mut Paydesk) -> Result<InvoiceInput, Error> {
        if let Some(c) = self.client {
            base.client_id = clients::resolve(app, &c)?.id;
        }
        if let Some(lines) = self.lines {
            base.lines = lines;
        }
        if let Some(c) = self.currency {
            base.currency = c;
        }
        if let Some(d) = self.issue_date {
            base.issue_date = d;
        }
        match self.due {
            Some(Due::Date(d)) => {
                base.due_date = Some(d);
                base.payment_terms_days = None;
            }
            Some(Due::Terms(t)) => {
                base.due_date = None;
                base.payment_terms_days = Some(t);
            }
            None => {}
        }
        if self.number.is_some() {
            base.number = self.number;
        }
        if let Some(d) = self.discount {
            base.discount = d;
        }
        if let Some(n) = self.notes {
            base.notes = n;
        }
        if let Some(t) = self.terms_text {
            base.terms = t;
        }
        Ok(base)
    }
}

/// The input for `invoice create`.
pub(crate) fn create_input(args: CreateArgs, ctx: &mut Ctx<'_, '_>) -> Result<InvoiceInput, Error> {
    if let Some(path) = &args.from_json {
        return input::read_json("from-json", path, ctx.io.stdin);
    }
    let form = Form::read(args.client, &args.lines, args.fields, ctx)?;
    let app = ctx.app()?;
    let settings = app.settings()?;
    let defaults = InvoiceInput {
        currency: settings.default_currency,
        issue_date: SystemClock.today().to_string(),
        payment_terms_days: settings.default_payment_terms_days,
        ..Default::default()
    };
    form.apply(defaults, app)
}

/// The invoice `invoice edit` names and its changed input.
pub(crate) fn edit_input(
    args: EditArgs,
    ctx: &mut Ctx<'_, '_>,
) -> Result<(Invoice, InvoiceInput), Error> {
    if let Some(path) = &args.from_json {
        let input = input::read_json("from-json", path, ctx.io.stdin)?;
        let current = ctx.app()?.find_invoice(&args.invoice)?;
        return Ok((current, input));
    }
    let form = Form::read(args.client, &args.lines, args.fields, ctx)?;
    let app = ctx.app()?;
    let current = app.find_invoice(&args.invoice)?;
    let base = stored_input(&current);
    let input = form.apply(base, app)?;
    Ok((current, input))
}

/// The stored invoice as an input: with payment terms, the due date follows a new issue date.
fn stored_input(inv: &Invoice) -> InvoiceInput {
    InvoiceInput {
        client_id: inv.client_id.clone(),
        currency: inv.currency.clone(),
        issue_date: inv.issue_date.clone(),
        due_date: match inv.payment_terms_days {
            Some(_) => None,
            None => Some(inv.due_date.clone()),
        },
        payment_terms_days: inv.payment_terms_days,
        number: None,
        lines: inv.lines.clone(),
        discount: inv.discount.clone(),
        notes: inv.notes.clone(),
        terms: inv.terms.clone(),
    }
}
