//! `paydesk client add|list|show|edit`: who the freelancer bills.
//!
//! A client is named on the command line by its id or by its exact name (case-insensitive when
//! the exact spelling matches none); a name shared by several clients must be given as an id.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use paydesk_core::{Client, ClientInput, Error, Paydesk};

use crate::context::Ctx;
use crate::exit::Failure;
use crate::input;
use crate::output::{self, Table};

/// `paydesk client ...`
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Add a client.
    Add {
        /// The client's name (required).
        #[arg(long)]
        name: String,
        #[command(flatten)]
        details: ClientDetails,
    },
    /// List clients, optionally only those whose name or email contains a text.
    List {
        /// Only clients whose name or email contains this text.
        #[arg(long, allow_hyphen_values = true)]
        search: Option<String>,
    },
    /// Show one client.
    Show {
        /// The client's id or exact name.
        client: String,
    },
    /// Change a client; fields not given keep their values.
    Edit {
        /// The client's id or exact name.
        client: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        details: ClientDetails,
    },
}

/// The optional client fields shared by `add` and `edit`.
#[derive(Debug, Args)]
pub struct ClientDetails {
    /// Email address.
    #[arg(long)]
    email: Option<String>,
    /// Postal address (may span lines).
    #[arg(long, allow_hyphen_values = true)]
    address: Option<String>,
    /// Tax or VAT id.
    #[arg(long)]
    tax_id: Option<String>,
    /// Private notes.
    #[arg(long, allow_hyphen_values = true, conflicts_with = "notes_file")]
    notes: Option<String>,
    /// Read the notes from a UTF-8 file (`-` for stdin).
    #[arg(long, value_name = "PATH")]
    notes_file: Option<PathBuf>,
}

/// Run a client command.
pub(crate) fn run(command: ClientCommand, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    match command {
        ClientCommand::Add { name, details } => {
            let input = Changes::read(Some(name), details, ctx)?.apply(ClientInput::default());
            let client = ctx.app()?.create_client(&input)?;
            ctx.emit(&client, |out, c| {
                writeln!(out, "Added client {} ({})", c.name, c.id)
            })
        }
        ClientCommand::List { search } => {
            let clients = ctx.app()?.list_clients(search.as_deref())?;
            ctx.emit(&clients, write_list)
        }
        ClientCommand::Show { client } => {
            let client = resolve(ctx.app()?, &client)?;
            ctx.emit(&client, write_client)
        }
        ClientCommand::Edit {
            client,
            name,
            details,
        } => {
            let changes = Changes::read(name, details, ctx)?;
            let app = ctx.app()?;
            let current = resolve(app, &client)?;
            let id = current.id.clone();
            let input = changes.apply(ClientInput {
                name: current.name,
                email: current.email,
                address: current.address,
                tax_id: current.tax_id,
                notes: current.notes,
            });
            let client = app.update_client(&id, &input)?;
            ctx.emit(&client, |out, c| {
                writeln!(out, "Updated client {} ({})", c.name, c.id)
            })
        }
    }
}

/// The fields given on the command line, with any `--notes-file` already read.
struct Changes {
    name: Option<String>,
    email: Option<String>,
    address: Option<String>,
    tax_id: Option<String>,
    notes: Option<String>,
}

impl Changes {
    /// Collect the flags; reads `--notes-file` before the books are opened, so a bad file
    /// writes nothing.
    fn read(
        name: Option<String>,
        details: ClientDetails,
        ctx: &mut Ctx<'_, '_>,
    ) -> Result<Changes, Error> {
        let notes = input::text_or_file(
            details.notes,
            details.notes_file.as_deref(),
            "notes-file",
            ctx.io.stdin,
        )?;
        Ok(Changes {
            name,
            email: details.email,
            address: details.address,
            tax_id: details.tax_id,
            notes,
        })
    }

    /// `base` with the given fields replaced.
    fn apply(self, base: ClientInput) -> ClientInput {
        ClientInput {
            name: self.name.unwrap_or(base.name),
            email: self.email.unwrap_or(base.email),
            address: self.address.unwrap_or(base.address),
            tax_id: self.tax_id.unwrap_or(base.tax_id),
            notes: self.notes.unwrap_or(base.notes),
        }
    }
}

/// Find a client by id, else by exact name (then by name ignoring case).
pub(crate) fn resolve(app: &mut Paydesk, id_or_name: &str) -> Result<Client, Error> {
    match app.client(id_or_name) {
        Err(Error::NotFound { .. }) => {}
        other => return other,
    }
    let wanted = id_or_name.trim();
    let candidates = app.list_clients(Some(wanted))?;
    let exact: Vec<&Client> = candidates.iter().filter(|c| c.name == wanted).collect();
    let matches = if exact.is_empty() {
        let lower = wanted.to_lowercase();
        candidates
            .iter()
            .filter(|c| c.name.to_lowercase() == lower)
            .collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Error::NotFound {
            what: "client",
            id: short(id_or_name),
        }),
        many => Err(Error::invalid(
            "client",
            format!(
                "{} clients are named \"{}\"; give the client id instead",
                many.len(),
                short(wanted)
            ),
        )),
    }
}

/// The start of a user-typed reference, for messages.
fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        s.chars().take(60).collect::<String>() + "…"
    } else {
        s.to_string()
    }
}

fn write_list(out: &mut dyn Write, clients: &Vec<Client>) -> io::Result<()> {
    if clients.is_empty() {
        return writeln!(out, "No clients.");
    }
    let mut t = Table::new(&["ID", "Name", "Email", "Invoices"]).align_right(3);
    for c in clients {
        t.row(vec![
            c.id.clone(),
            c.name.clone(),
            c.email.clone(),
            c.invoice_count.to_string(),
        ]);
    }
    t.write(out)?;
    writeln!(
        out,
        "{} client{}",
        clients.len(),
        if clients.len() == 1 { "" } else { "s" }
    )
}

fn write_client(out: &mut dyn Write, c: &Client) -> io::Result<()> {
    const W: usize = 9;
    output::field(out, W, "Name", &c.name)?;
    output::field(out, W, "ID", &c.id)?;
    output::field(out, W, "Email", &c.email)?;
    output::field(out, W, "Tax ID", &c.tax_id)?;
    output::field(out, W, "Invoices", &c.invoice_count.to_string())?;
    output::field(out, W, "Added", &c.created_at)?;
    output::text_block(out, "Address", &c.address)?;
    output::text_block(out, "Notes", &c.notes)
}
