"""Take the pictures of the main screens in docs/screens/ (README "Screens"): `make screens`.

A throwaway SQLite register, migrated and filled with made-up customers by the register's
own demo data (services.demo_data), is served over HTTP on 127.0.0.1; Debian's chromium
logs in as a tourism handler and photographs each screen at 1280 × 800 in Finnish. The
pictures are PNG reduced to 256 colours, well under 200 KB each. Nothing outside the
temporary folder and docs/screens/ is touched.
"""

import datetime
import os
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screens"
VIEWPORT = {"width": 1280, "height": 800}
USERNAME = "tuulikki"
PASSWORD = "Näytöskuvien salasana 2026"  # of the throwaway register only
CUSTOMERS = 2000
SEED = 2026


def seed(app):
    """Fill the register: accounts, made-up customers, an inspection request; return the
    paths of the screens, by file name."""
    from models import Customer, Section, utcnow
    from services import accounts, demo_data
    from services import requests as inspection

    with app.app_context():
        handler, _ = accounts.create_user(USERNAME, "handler", ["tourism"], password=PASSWORD,
                                          must_change=False)
        demo_data.generate(CUSTOMERS, seed=SEED,
                           sections=list(Section.select().order_by(Section.id)))
        tourism = Section.get(code="tourism")
        company = (Customer.select().where(Customer.section == tourism,
                                           Customer.kind == "company")
                   .order_by(Customer.id).first())
        request = inspection.register(
            handler, received_at=utcnow() - datetime.timedelta(hours=3), channel="written",
            requester_name="Aino Mäkelä", section="tourism",
            requester_contact="Mannerheimintie 1 A 2, 00100 Helsinki",
            description="Kaikki minusta tallennetut tiedot")
    return {
        "front-page": "/",
        "customer-list": "/customers/",
        "customer-form": "/customers/new/",
        "customer-details": f"/customers/details/?id={company.id}",
        "inspection-request": f"/requests/{request.id}/",
        "statistics": "/statistics/",
    }


def photograph(base_url, screens):
    """Log in and save each screen as OUT/NAME.png."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.browser.helpers import log_in

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=base_url, viewport=VIEWPORT, locale="fi-FI")
        log_in(page, USERNAME, PASSWORD, front_page=True)
        for name, path in screens.items():
            answer = page.goto(path)
            if answer.status != 200:
                raise SystemExit(f"{path} answered {answer.status}")
            page.wait_for_load_state("load")
            save(page.screenshot(), OUT / f"{name}.png")
        browser.close()


def save(png, path):
    """Write the screenshot ``png`` (bytes) to ``path`` as a 256-colour PNG."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE) \
        .save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def main():
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory(prefix="register-screens-") as folder:
        os.environ["REGISTER_INSTANCE_PATH"] = str(pathlib.Path(folder) / "instance")
        url = f"sqlite:///{pathlib.Path(folder) / 'register.db'}"
        import database
        from app import create_app

        database.open_database(url)
        database.upgrade()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "screens",
                          "BACKUP_SCHEDULE": False, "SESSION_COOKIE_SECURE": False})
        screens = seed(app)
        from tests.browser.helpers import serve

        base_url, stop = serve(app)
        try:
            photograph(base_url, screens)
        finally:
            stop()


if __name__ == "__main__":
    main()
