"""create plans and seed defaults

Revision ID: e6777887bdf6
Revises: 8dca1cf9ca88
Create Date: 2026-11-25 11:42:30.359019

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6777887bdf6'
down_revision = '8dca1cf9ca88'
branch_labels = None
depends_on = None


def upgrade() -> None:
    plans = op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("monthly_price_cents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.bulk_insert(
        plans,
        [
            {"code": "free", "name": "Free", "monthly_price_cents": 0},
            {"code": "pro", "name": "Pro", "monthly_price_cents": 1900},
            {"code": "team", "name": "Team", "monthly_price_cents": 4900},
        ],
    )
    # every install has the staff org; it starts on the free plan (next revision)
    op.execute(sa.text("INSERT INTO orgs (name) VALUES ('Internal')"))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM orgs WHERE name = 'Internal'"))
    op.drop_table("plans")
