"""add plan to orgs and org_overview view

Revision ID: bb86aaac9fb9
Revises: e6777887bdf6
Create Date: 2026-11-25 11:42:30.362159

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bb86aaac9fb9'
down_revision = 'e6777887bdf6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orgs", sa.Column("plan_id", sa.Integer(), nullable=True))
    # relies on the plans seeded by the previous revision
    op.execute(
        sa.text(
            "UPDATE orgs SET plan_id = (SELECT id FROM plans WHERE code = 'free') "
            "WHERE plan_id IS NULL"
        )
    )
    op.alter_column("orgs", "plan_id", existing_type=sa.Integer(), nullable=False)
    op.create_foreign_key("fk_orgs_plan_id_plans", "orgs", "plans", ["plan_id"], ["id"])
    op.execute(
        sa.text(
            """
            CREATE VIEW org_overview AS
            SELECT o.id, o.name, p.code AS plan_code, count(u.id) AS user_count
            FROM orgs o
            JOIN plans p ON p.id = o.plan_id
            LEFT JOIN users u ON u.org_id = o.id
            GROUP BY o.id, o.name, p.code
            """
        )
    )


def downgrade() -> None:
    op.execute(sa.text("DROP VIEW org_overview"))
    op.drop_constraint("fk_orgs_plan_id_plans", "orgs", type_="foreignkey")
    op.drop_column("orgs", "plan_id")
