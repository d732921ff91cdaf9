"""Prepare a throwaway portal for the load and soak benchmarks: migrate, load demo data, print facts.

Honours PORTAL_DATABASE_URL and PORTAL_DATA_DIR (the caller sets them to a temp folder);
never touches the development database. Prints shell assignments for the chosen pages.
"""

from __future__ import annotations

from sqlmodel import select

from portal import create_app, db
from portal.cli import upgrade_database
from portal.demo import seed_demo


def main() -> None:
    app = create_app()
    with app.app_context():
        upgrade_database()
        seed_demo(db.session())
        db.session().commit()
        from portal.catalog.models import Technology
        from portal.datasets.models import Dataset

        technology = (
            db.session()
            .exec(select(Technology.slug).where(Technology.is_published).order_by(Technology.id))
            .first()
        )
        dataset = (
            db.session()
            .exec(select(Dataset.slug).where(Dataset.visibility == "public").order_by(Dataset.id))
            .first()
        )
    print(f"TECHNOLOGY={technology}")
    print(f"DATASET={dataset}")


if __name__ == "__main__":
    main()
