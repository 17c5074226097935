"""What a data subject is told: the disclosures that included each customer."""

from models import Disclosure, DisclosureCustomer, DisclosureRecipient

def disclosures_of(customer_ids, language="fi"):
    """Return, for each customer of ``customer_ids``, the disclosures that included it.

    ``{customer_id: [{"id", "recipient", "purpose", "legal_basis", "categories",
    "decided_at", "carried_out_at"}, …]}``, oldest first; the recipient named in
    ``language`` (fi, sv or en). Approved disclosures count (those not yet carried out
    have ``carried_out_at`` None: the data will be disclosed); prepared and refused ones
    disclosed nothing and are left out. Every customer asked for has a list, maybe empty.
    """
    ids = sorted({int(i) for i in customer_ids})
    found = {i: [] for i in ids}
    if not ids:
        return found
    rows = (DisclosureCustomer
            .select(DisclosureCustomer.customer, Disclosure, DisclosureRecipient)
            .join(Disclosure)
            .join(DisclosureRecipient)
            .where(DisclosureCustomer.customer.in_(ids)
                   & Disclosure.state.in_(("approved", "carried_out")))
            .order_by(Disclosure.decided_at, Disclosure.id))
    for link in rows:
        disclosure = link.disclosure
        found[link.customer_id].append({
            "id": disclosure.id,
            "recipient": disclosure.recipient.name_in(language),
            "purpose": disclosure.purpose,
            "legal_basis": disclosure.legal_basis,
            "categories": disclosure.category_list,
            "decided_at": disclosure.decided_at,
            "carried_out_at": disclosure.carried_out_at,
        })
    return found
