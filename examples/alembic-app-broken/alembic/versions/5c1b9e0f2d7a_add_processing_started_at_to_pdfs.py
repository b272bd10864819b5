"""add processing_started_at to pdfs

Revision ID: 5c1b9e0f2d7a
Revises: e6777887bdf6
Create Date: 2026-11-25 12:10:02.118211

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1b9e0f2d7a'
down_revision = 'e6777887bdf6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('pdfs', sa.Column('processing_started_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_pdfs_processing_started_at', 'pdfs', ['processing_started_at'])


def downgrade() -> None:
    op.drop_column('pdfs', 'processing_started_at')
