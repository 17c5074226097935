"""The merge itself: one transaction that moves every row naming the merged customer to
the survivor, applies the chosen values and deletes the merged customer.

What moves is derived from the models (``services.categories.references``): every model
with a foreign key to Customer, the register data and the rows that only name a customer
(inspection request subjects, disclosure links) alike. Before the plain move:

- a model a customer has one row of (demographics): the survivor keeps one, holding the
  chosen values; the other row is deleted;
- a unique index with the customer's key (a request's subject, a disclosure's customer):
  a row of the merged customer that the survivor already has is deleted, so a request
  linking both keeps one link;
- marketing consents (one in force per customer and channel, migration 021): when both
  have one in force for a channel, the one given earlier stays in force and the other
  moves as history, closed at the merge (``withdrawn_at`` the merge's time, by the merging
  user, with no way of withdrawal: the person withdrew nothing);
- prohibitions (rows are the history, the newest tells): a prohibition in force on either
  customer stays in force; when the newest row after the move is a withdrawal, the merge
  records the prohibition given again, as it was in force.

The data of a category the section no longer holds but keeps until the purge is not
offered (the screens show none of it); it is carried as a field left unchosen is: the
survivor's value, else the other's.

The informing record (seed §13) kept is the earlier informing: a person informed beats one
not reached, and of two the earlier. The survivor keeps its source, or takes the other's;
its creation time is the earlier one. A customer held by an open request or a disclosure
not carried out is not merged (the request's records or the disclosure's data set would
change under a decision): finish that first.
"""

import datetime

import database
from models import (
    Customer,
    CustomerMerge,
    MarketingConsent,
    Prohibition,
    utcnow,
)
from services import audit, customers, prohibitions
from services.categories import references
from services.errors import N_, RegisterError
from services.localtime import helsinki_date, to_helsinki
from services.merge.fields import (
    MERGED,
    SURVIVOR,
    choices,
    kept_choices,
    single_row,
    single_rows,
)
from services.retention.holding import Held, holds
from services.versioning import versioned_update

# The informing record of a customer (seed §13): moved as a whole.
INFORMING = ("informed_at", "informed_how", "not_reachable_reason")
SOURCE = ("data_source", "data_source_note")


def refusal(survivor, merged):
    """Return why ``merged`` cannot be merged into ``survivor`` (a RegisterError), or None."""
    if survivor.id == merged.id:
        return RegisterError(N_("A customer cannot be merged with itself: give the number of "
                                "the other customer."))
    if survivor.section_id != merged.section_id:
        return RegisterError(N_("Customers %(a)s and %(b)s are in different sections. The "
                                "sections are separate registers: only customers of the "
                                "same section can be merged."), a=survivor.id, b=merged.id)
    if survivor.kind != merged.kind:
        return RegisterError(N_("Customers %(a)s and %(b)s are of different kinds (a private "
                                "person, a company or an organisation), whose data differs: "
                                "only customers of the same kind can be merged."),
                             a=survivor.id, b=merged.id)
    return None


# Why a held customer is not merged; %(reasons)s lists the holds.
HELD = N_("These customers cannot be merged now. %(reasons)s. Finish that first (deliver "
          "the inspection report, apply or refuse the rectification request, carry out the "
          "disclosure or take the customer out of it), then merge.")


# The earlier informing record stays (seed §13): a birth date after it is refused, as the
# customer form refuses it.
BORN_AFTER_INFORMING = N_("The chosen birth date is after the time the customer was informed "
                          "of the registration (the earlier record stays): choose the other "
                          "birth date, or correct it first.")


def merge(survivor, merged, *, seen_survivor, seen_merged, chosen, actor, now=None):
    """Merge ``merged`` into ``survivor``; return the survivor's :class:`CustomerMerge` row.

    ``seen_*`` are the versions the page showed; ``chosen`` maps a field key of
    :func:`services.merge.choices` to SURVIVOR or MERGED (a key left out takes its
    default). Refuses a stale page (StaleVersion), customers of different sections or
    kinds, and held customers, writing nothing.
    """
    problem = refusal(survivor, merged)
    if problem is not None:
        raise problem
    now = now or utcnow()
    with database.write_transaction():
        version = _lock(survivor, merged, seen_survivor, seen_merged)
        held = holds([survivor.id, merged.id])
        if held:
            raise Held(sorted({h for rows in held.values() for h in rows}), message=HELD)
        survivor, merged = Customer.get_by_id(survivor.id), Customer.get_by_id(merged.id)
        offered = choices(survivor, merged)
        # A choice names a field offered; the data of a category kept until the purge is
        # carried with its default (services/merge/fields.py kept_choices).
        chosen = {c.key: chosen[c.key] for c in offered if c.key in chosen}
        offered += kept_choices(survivor, merged)
        changed = _apply_single_rows(survivor, merged, offered, chosen)
        changed += _close_duplicate_consents(survivor, merged, actor, now)
        in_force = _prohibitions_in_force(survivor, merged)
        _move_references(survivor.id, merged.id)
        changed += _keep_prohibitions(survivor, in_force, actor, now)
        changed = _write_survivor(survivor, merged, offered, chosen, version, now) + changed
        Customer.delete().where(Customer.id == merged.id).execute()
        customers.refresh_city(survivor.id)
        customers.refresh_last_activity(survivor.id)
        row = CustomerMerge.create(customer=survivor.id, merged_id=merged.id, merged_at=now,
                                   merged_by=actor, changed_fields=" ".join(changed))
        audit.record("merge", actor=actor, object_type="customer", object_id=survivor.id,
                     section=survivor.section.code,
                     fields=[f"merged_customer.{merged.id}", *changed], at=now)
    return row


def _lock(survivor, merged, seen_survivor, seen_merged):
    """Check both versions (the lower id first, so two merges never wait on each other in
    a cycle) and hold both rows until the end; return the survivor's version now."""
    versions = {}
    for row, seen in sorted(((survivor, seen_survivor), (merged, seen_merged)),
                            key=lambda pair: pair[0].id):
        versions[row.id] = versioned_update(row, {}, seen=seen)
    return versions[survivor.id]


def _side(chosen, choice):
    side = chosen.get(choice.key, choice.default)
    return side if side in (SURVIVOR, MERGED) else choice.default


def _write_survivor(survivor, merged, offered, chosen, version, now):
    """Write the chosen values of the customer's own fields and its record fields; return
    the names of the fields that changed."""
    values = {c.key: c.value(_side(chosen, c)) for c in offered if "." not in c.key}
    informing = _earlier_informing(survivor, merged)
    values.update({name: getattr(informing, name) for name in INFORMING})
    born = values.get("birth_date", survivor.birth_date)
    if born is not None and values["informed_at"] is not None and (
            helsinki_date(values["informed_at"]) < born):
        raise RegisterError(BORN_AFTER_INFORMING)
    if not survivor.data_source and merged.data_source:
        values.update({name: getattr(merged, name) for name in SOURCE})
    values["created_at"] = min(survivor.created_at, merged.created_at)
    if survivor.minimised_at is not None and merged.minimised_at is None:
        values["minimised_at"] = None  # the other's data was in use: not only kept for accounts
    changed = [name for name, value in values.items() if getattr(survivor, name) != value]
    for name, value in values.items():
        setattr(survivor, name, value)
    survivor.refresh_derived()
    values.update({name: getattr(survivor, name) for name in Customer.derived_fields})
    values["updated_at"] = now
    versioned_update(survivor, values, seen=version)
    return changed


def _earlier_informing(survivor, merged):
    """Return the customer whose informing record stays: the one informed (rather than not
    reached), of two the earlier; the survivor when neither has one."""
    def rank(customer):
        if customer.informed_at is None:
            return (2, datetime.datetime.max)
        return (1 if customer.informed_how == "not_reachable" else 0, customer.informed_at)
    return min((survivor, merged), key=rank)


def _apply_single_rows(survivor, merged, offered, chosen):
    """Leave the survivor one row of each single-row model, holding the chosen values;
    return the ``table.field`` names that changed."""
    changed = []
    for model, field in single_rows():
        table, key = model._meta.table_name, model._meta.primary_key
        mine = single_row(model, field, survivor.id)
        theirs = single_row(model, field, merged.id)
        picked = {c.field_name: c.value(_side(chosen, c)) for c in offered
                  if c.key.startswith(table + ".")}
        before = {name: getattr(mine, name) if mine is not None else None for name in picked}
        if theirs is not None and mine is None:
            model.update({field: survivor.id}).where(key == theirs.get_id()).execute()
            mine = theirs
        elif theirs is not None:
            model.delete().where(key == theirs.get_id()).execute()
        if mine is None or not picked:
            continue
        model.update(picked).where(key == mine.get_id()).execute()
        changed.extend(f"{table}.{name}" for name, value in picked.items()
                       if value != before[name])
    return changed


def _close_duplicate_consents(survivor, merged, actor, now):
    """Close the later of two consents in force for one channel, and a consent in force
    given before the person withdrew one of the channel on the other record (what the
    person said last holds); return what changed."""
    both = MarketingConsent.customer.in_([survivor.id, merged.id])
    rows = (MarketingConsent.select().where(both & MarketingConsent.in_force())
            .order_by(MarketingConsent.given_on, MarketingConsent.recorded_at,
                      MarketingConsent.id))
    # (customer, channel) → the person's latest withdrawal (a merge's closing is none).
    withdrawn = {}
    told = MarketingConsent.withdrawn_how.is_null(False)
    for row in MarketingConsent.select().where(both & told):
        key = (row.customer_id, row.channel)
        withdrawn[key] = max(withdrawn.get(key, row.withdrawn_at), row.withdrawn_at)
    kept, changed = {}, []
    for row in rows:
        other = merged.id if row.customer_id == survivor.id else survivor.id
        if row.channel not in kept and not _given_before(
                row, withdrawn.get((other, row.channel))):
            kept[row.channel] = row
            continue
        (MarketingConsent.update(withdrawn_at=now, withdrawn_by=actor, withdrawn_how=None)
         .where(MarketingConsent.id == row.id).execute())
        changed.append("marketing_consent.withdrawn_at")
    return sorted(set(changed))


def _given_before(consent, withdrawn_at):
    """Tell whether ``consent`` was given before a withdrawal recorded at ``withdrawn_at``
    (naive UTC; None: no withdrawal): an earlier Helsinki day, or the same day recorded
    earlier."""
    if withdrawn_at is None:
        return False
    day = to_helsinki(withdrawn_at).date()
    return consent.given_on < day or (consent.given_on == day
                                      and consent.recorded_at < withdrawn_at)


def _prohibitions_in_force(survivor, merged):
    """Return ``{purpose: row}`` of the customers' own prohibitions in force (of either;
    the one in force since the earlier day when both)."""
    found = {}
    for customer in (survivor, merged):
        for (contact_person, purpose), row in prohibitions.in_force(customer).items():
            if contact_person is None and (purpose not in found
                                           or row.effective_on < found[purpose].effective_on):
                found[purpose] = row
    return found


def _keep_prohibitions(survivor, in_force, actor, now):
    """Record again each prohibition that was in force before the move but whose newest
    row is now a withdrawal; return what changed."""
    now_in_force = prohibitions.in_force(survivor)
    changed = []
    for purpose, row in sorted(in_force.items()):
        if (None, purpose) in now_in_force:
            continue
        newest = (Prohibition.select()
                  .where((Prohibition.customer == survivor.id)
                         & Prohibition.contact_person.is_null()
                         & (Prohibition.purpose == purpose))
                  .order_by(Prohibition.id.desc()).first())
        Prohibition.create(customer=survivor.id, purpose=purpose, action="given",
                           effective_on=max(row.effective_on, newest.effective_on),
                           source=row.source, note=row.note, recorded_by=actor,
                           recorded_at=now)
        changed.append("prohibition.action")
    return sorted(set(changed))


def _unique_keys(model, field):
    """Return the other columns of each unique index of ``model`` holding ``field``."""
    found = []
    for index in model._meta.indexes:
        if not isinstance(index, (tuple, list)) or not index[1]:
            continue
        names = list(index[0])
        if field.name in names and len(names) > 1:
            found.append([model._meta.fields[n] for n in names if n != field.name])
    return found


def _move_references(survivor_id, merged_id):
    """Move every row naming the merged customer to the survivor: first delete the rows a
    unique index would refuse (the survivor has the same link already)."""
    for model, field in references(Customer):
        for others in _unique_keys(model, field):
            have = {tuple(row) for row in model.select(*others)
                    .where(field == survivor_id).tuples()}
            twins = [row[0] for row in model.select(model._meta.primary_key, *others)
                     .where(field == merged_id).tuples() if tuple(row[1:]) in have]
            if twins:
                model.delete().where(model._meta.primary_key.in_(twins)).execute()
        model.update({field: survivor_id}).where(field == merged_id).execute()
