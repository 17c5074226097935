"""The register's Flask-Admin: one function lists every page (the whole admin on one screen).

The page modules import no other page module (tests/test_layout.py): what one page shows
of another's, such as the front page's panels, is handed to it here.
"""

from flask_admin import Admin
from flask_admin import babel as admin_babel
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from admin_views.access import (
    AccessReviewView,
    AccountView,
    GuidanceView,
    require_guidance_acknowledgement,
)
from admin_views.access_requests import AccessRequestView
from admin_views.audit import add_audit_views
from admin_views.backup import BackupView, panel_status
from admin_views.base import granted_sections
from admin_views.billing import InvoiceView
from admin_views.consent import ConsentView
from admin_views.customers import CustomerView
from admin_views.dashboard import DashboardView
from admin_views.imports import ImportView
from admin_views.duplicates import DuplicatesView
from admin_views.duties import DutiesView
from admin_views.disclosures import DisclosureView
from admin_views.informing import InformingView
from admin_views.informing import front_page as informing_panel
from admin_views.marketing import MarketingListView
from admin_views.merge import MergeView
from admin_views.navigation import NotInformedLink, main_menu
from admin_views.notification_settings import NotificationSettingsView
from admin_views.outbox import OutboxView
from admin_views.security_overview import SecurityOverviewView
from admin_views.processing_record import ProcessingRecordView
from admin_views.prohibitions import ProhibitionView
from admin_views.rectification import RectificationView
from admin_views.record_retention import add_record_retention_views
from admin_views.reports import InspectionReportView
from admin_views.requests import InspectionRequestView
from admin_views.retention import add_retention_views
from admin_views.sections import SectionsView
from admin_views.settings import CapabilityLink, ControllerSettingsView
from admin_views.statistics import StatisticsView
from models import Customer, Invoice
from security import csp_nonce
from services.vocabulary.administration import ROLE_LABELS


def init_admin(app):
    """Attach the register's admin to ``app``."""
    # Flask-Admin's own strings come from our complete copies of its catalogs
    # (translations/*/LC_MESSAGES/admin.po, with corrections and its missing strings).
    # Its domain merges the package's catalog last, which would undo every correction,
    # so point the domain at ours alone (DESIGN.md §3 item 11).
    admin_babel.domain._translation_directories = [app.config["BABEL_TRANSLATION_DIRECTORIES"]]
    admin = Admin(
        app,
        name=_l("Customer register"),
        # The front page: the user's work list, then the backups' status.
        index_view=DashboardView(name=_l("Front page"), url="/",
                                 panels={"backup_status": panel_status}),
        theme=Bootstrap4Theme(base_template="admin/register_base.html"),
        translations_path=app.config["BABEL_TRANSLATION_DIRECTORIES"],
        # Flask-Admin's scripts carry the request's nonce of the Content-Security-Policy.
        csp_nonce_generator=csp_nonce,
    )
    register_views(admin)
    # The page frame's menu: groups, the current page and the counts waiting.
    app.add_template_global(main_menu, "main_menu")
    app.add_template_global(ROLE_LABELS.get, "role_label")
    app.add_template_global(granted_sections, "granted_sections")
    return admin


# The menu's groups, by task in the order of a working day; the role decides what is in
# each (a group with nothing the user may open is not shown). README "Navigation".
REGISTER = _l("Register")
RIGHTS = _l("Data subject rights")
CONTROLLER = _l("Controller")
MAINTENANCE = _l("Maintenance")
# The controller's group is long: its parts under headings of their own.
RETENTION = _l("Retention")
ACCESS = _l("Access")
SETTINGS = _l("Settings")


def register_views(admin):
    """Add every page of the register to ``admin`` (the whole admin on one screen)."""
    customers = add_register_views(admin)
    add_rights_views(admin, customers)
    add_controller_views(admin)
    admin.add_view(BackupView(name=_l("Backups"), category=MAINTENANCE, endpoint="backups",
                              url="/backups"))
    add_audit_views(admin, MAINTENANCE)
    admin.add_view(OutboxView(name=_l("Outbox"), category=MAINTENANCE, endpoint="outbox",
                              url="/outbox"))
    # One's own email notifications, from the header's account menu.
    admin.add_view(NotificationSettingsView(name=_l("Email notifications"),
                                            endpoint="notification_settings",
                                            url="/account/notifications"))


def add_register_views(admin):
    """Add the pages of the menu "Register" (customers and their billing) to ``admin``;
    return the customer view, which other pages use."""
    customers = CustomerView(Customer, name=_l("Customers"), category=REGISTER,
                             endpoint="customers")
    admin.add_view(customers)
    admin.add_view(InvoiceView(Invoice, name=_l("Invoices"), category=REGISTER,
                               endpoint="invoices"))
    # Every imported row is checked by the customer screen's own form.
    admin.add_view(ImportView(customers, name=_l("Import customers"), category=REGISTER,
                              endpoint="imports", url="/imports"))
    admin.add_view(DuplicatesView(name=_l("Possible duplicates"), category=REGISTER,
                                  endpoint="duplicates", url="/customers/duplicates"))
    # Reached from the customer's page and the possible duplicates, not from the menu.
    admin.add_view(MergeView(name=_l("Merge customers"), endpoint="customer_merge",
                             url="/customers/merge"))
    return customers


def add_rights_views(admin, customers):
    """Add the pages of the menu "Data subject rights" (seed §13–§16) to ``admin``."""
    admin.add_view(InspectionRequestView(name=_l("Inspection requests"), category=RIGHTS,
                                         endpoint="requests", url="/requests"))
    admin.add_view(InspectionReportView(name=_l("Inspection report"),
                                        endpoint="inspection_report", url="/requests"))
    admin.add_view(RectificationView(name=_l("Rectification requests"), category=RIGHTS,
                                     endpoint="rectification", url="/rectification"))
    # Reached from the customer's page, not from the menu.
    admin.add_view(ProhibitionView(name=_l("Prohibitions"), endpoint="prohibitions",
                                   url="/prohibitions"))
    admin.add_view(ConsentView(name=_l("Marketing consents"), endpoint="consents",
                               url="/consents"))
    admin.add_view(MarketingListView(name=_l("Marketing list"), category=RIGHTS,
                                     endpoint="marketing", url="/marketing"))
    # Informing itself is reached from the customer list (its bulk action) and the
    # customer's page; the menu and the front page lead to the customers not yet informed.
    admin.add_view(InformingView(name=_l("Informing"), endpoint="informing", url="/informing"))
    admin.add_link(NotInformedLink(_l("Customers not yet informed"),
                                   lambda: customers.not_informed_url(None), RIGHTS))
    admin.index_view.panels["not_informed"] = informing_panel(customers.not_informed_url)


def add_controller_views(admin):
    """Add the pages of the menu "Controller": disclosures, statistics, retention, access
    and the settings, each part under its heading."""
    admin.add_view(DisclosureView(name=_l("Disclosures"), category=CONTROLLER,
                                  endpoint="disclosures", url="/disclosures"))
    admin.add_view(StatisticsView(name=_l("Statistics"), category=CONTROLLER,
                                  endpoint="statistics"))
    admin.add_view(DutiesView(name=_l("Duties"), category=CONTROLLER, endpoint="duties",
                              url="/duties"))
    for part in (RETENTION, ACCESS, SETTINGS):
        admin.add_sub_category(part, CONTROLLER)
    add_retention_views(admin, RETENTION)  # preview, periods, log, erasure
    add_record_retention_views(admin, RETENTION)  # the rules of the register's own records
    add_access_views(admin)  # requests, accounts, review, guidance
    add_settings_views(admin)  # the settings, what the register says of itself


def add_access_views(admin):
    """Add the access pages to ``admin`` under the heading "Access" (requests, accounts,
    review, guidance, the security overview), and make every request
    of a user wait for the acknowledgement of a new guidance version.

    The hook is registered after the login check of ``admin_views.auth`` (``create_app``
    sets up auth before the admin), so a password that must change comes first.
    """
    category = ACCESS
    admin.add_view(AccessRequestView(name=_l("Access requests"), category=category,
                                     endpoint="access_requests", url="/access/requests"))
    admin.add_view(AccountView(name=_l("Accounts"), category=category,
                               endpoint="access_accounts", url="/access/accounts"))
    admin.add_view(AccessReviewView(name=_l("Access review"), category=category,
                                    endpoint="access_review", url="/access/review"))
    admin.add_view(GuidanceView(name=_l("Guidance"), category=category,
                                endpoint="access_guidance", url="/access/guidance"))
    admin.add_view(SecurityOverviewView(name=_l("Security overview"), category=category,
                                        endpoint="security_overview", url="/access/security"))
    admin.app.before_request(require_guidance_acknowledgement)


def add_settings_views(admin):
    """Add the controller's settings pages to ``admin`` under the heading "Settings" (the
    retention periods and rules are under "Retention", in the same menu)."""
    category = SETTINGS
    admin.add_view(ControllerSettingsView(name=_l("Controller's settings"), category=category,
                                          endpoint="controller_settings", url="/settings"))
    admin.add_view(SectionsView(name=_l("Sections and data categories"), category=category,
                                endpoint="settings_sections", url="/settings/sections"))
    admin.add_link(CapabilityLink(_l("Allowed recipients"), "disclosures.recipients",
                                  "manage_disclosure_recipients", category))
    # The GDPR Art. 30 record, from the newest publication of the settings.
    admin.add_view(ProcessingRecordView(name=_l("Record of processing activities"),
                                        category=category, endpoint="processing_record",
                                        url="/processing-record"))
