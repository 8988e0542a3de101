//! Which screen comes next, for the whole wizard, in one function. A screen records
//! what was decided in the setup (`ctx.setup`, `ctx.journal`) and returns
//! [`next`] with what it decided; the order of the steps, and what each screen is
//! opened with (from the setup, not from the screen before), are decided here and
//! nowhere else. A new step is a line in [`Decided`] and one in [`next`].

use super::codecs::CodecsStep;
use super::connection::ConnectionStep;
use super::countries::CountriesStep;
use super::credential::CredentialStep;
use super::finish::FinishStep;
use super::numbers::NumbersStep;
use super::profile::ProfileStep;
use super::token::TokenStep;
use super::{Ctx, Step, Transition};
use crate::msg::Request;

/// What a screen has just decided, in the order of the steps.
pub(super) enum Decided {
    /// Signed in (or the journal's question answered): the connections. `notice` is
    /// said once on that screen.
    SignedIn { notice: Option<String> },
    /// `ctx.setup.connection` was chosen, or a new one named (`ctx.desired`).
    Connection,
    /// Its codecs were saved.
    Codecs,
    /// `ctx.setup.profile` is attached.
    Profile,
    /// A new profile, to be made on the countries screen with the countries chosen.
    ProfileDraft { name: String },
    /// The profile's countries were saved.
    Countries,
    /// Numbers bought, kept or skipped.
    Numbers,
    /// `ctx.setup.credential` was chosen or made.
    Credential,
    /// A token was made: the summary.
    Token,
}

/// The screen after what was `decided`, opened from the setup as it stands, and the
/// commands it starts with.
pub(super) fn next(decided: Decided, ctx: &mut Ctx) -> Transition {
    // The connection chosen or made, or the one step 2 named (made on step 4 or 5).
    let connection = ctx.connection_shown();
    match decided {
        Decided::SignedIn { notice } => {
            let (mut next, load) = ConnectionStep::open(ctx);
            next.activity.notice = notice;
            Transition::next(Step::Connection(next), load)
        }
        Decided::Connection => {
            // Step 4's list loads while the codecs are looked at (if the one read at
            // sign-in is not still on its way or fresh).
            let mut cmds: Vec<_> = ctx.prefetch(Request::ListProfiles).into_iter().collect();
            // The numbers on an existing connection, read now so that the codecs and
            // attach questions (and their Enter lines) name them; step 6 takes this
            // read. A connection made now has none.
            if !ctx.setup.connection_new {
                let numbers = Request::ListConnectionNumbers { connection_id: connection.id.clone() };
                cmds.extend(ctx.prefetch_observed(numbers));
            }
            let next = CodecsStep::new(connection, ctx.setup.connection_created);
            Transition::next(Step::Codecs(next), cmds)
        }
        Decided::Codecs => {
            let mut next = ProfileStep::new(connection, ctx.setup.connection_created);
            let cmds = next.reload(ctx);
            Transition::next(Step::Profile(next), cmds)
        }
        Decided::Profile => {
            let profile = ctx.setup.profile.clone().unwrap_or_default();
            let next = CountriesStep::new(profile, ctx.setup.profile_created);
            Transition::next(Step::Countries(next), Vec::new())
        }
        Decided::ProfileDraft { name } => {
            Transition::next(Step::Countries(CountriesStep::draft(name)), Vec::new())
        }
        Decided::Countries => {
            let whitelist = ctx.setup.profile.as_ref().map(|p| p.whitelisted_destinations.clone());
            NumbersStep::enter(connection, &whitelist.unwrap_or_default(), ctx)
        }
        Decided::Numbers => {
            let (next, cmds) = CredentialStep::open(connection, ctx);
            Transition::next(Step::Credential(next), cmds)
        }
        Decided::Credential => {
            let credential = ctx.setup.credential.clone().unwrap_or_default();
            Transition::next(Step::Token(TokenStep::new(credential)), Vec::new())
        }
        Decided::Token => Transition::next(Step::Finish(FinishStep::default()), Vec::new()),
    }
}
