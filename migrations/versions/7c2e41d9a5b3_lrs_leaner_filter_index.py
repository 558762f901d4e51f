"""LRS: leaner write path for statements

The filter index ``lrs_statement_key`` loses its surrogate ``id``: its primary key becomes
(key_hash, statement_pk), which is the lookup index itself, and on SQLite the table is WITHOUT ROWID.
Each filter key then costs one B-tree insert instead of a row, a lookup index entry and an id.
``ix_lrs_statement_ref`` becomes partial (ref_id IS NOT NULL): almost no statement targets another.

Revision ID: 7c2e41d9a5b3
Revises: 1b1aa7003e67
Create Date: 2026-11-29 04:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '7c2e41d9a5b3'
down_revision = '1b1aa7003e67'
branch_labels = None
depends_on = None

STATEMENT_PK = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _set_aside_old_table(lookup_indexes):
    for name in lookup_indexes:
        op.drop_index(name, table_name='lrs_statement_key')
    op.rename_table('lrs_statement_key', 'lrs_statement_key_old')
    if op.get_bind().dialect.name == 'postgresql':  # index names are schema-wide there
        op.execute('ALTER TABLE lrs_statement_key_old RENAME CONSTRAINT pk_lrs_statement_key '
                   'TO pk_lrs_statement_key_old')
        op.execute('ALTER TABLE lrs_statement_key_old RENAME CONSTRAINT '
                   'fk_lrs_statement_key_statement_pk_lrs_statement TO fk_lrs_statement_key_old_statement_pk')


def upgrade():
    _set_aside_old_table(['ix_lrs_statement_key_lookup', 'ix_lrs_statement_key_statement_pk'])
    op.create_table(
        'lrs_statement_key',
        sa.Column('key_hash', sa.BigInteger(), nullable=False),
        sa.Column('statement_pk', STATEMENT_PK, nullable=False),
        sa.ForeignKeyConstraint(['statement_pk'], ['lrs_statement.pk'],
                                name=op.f('fk_lrs_statement_key_statement_pk_lrs_statement'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key_hash', 'statement_pk', name=op.f('pk_lrs_statement_key')),
        sqlite_with_rowid=False,
    )
    op.execute('INSERT INTO lrs_statement_key (key_hash, statement_pk) '
               'SELECT DISTINCT key_hash, statement_pk FROM lrs_statement_key_old')
    op.drop_table('lrs_statement_key_old')
    op.create_index(op.f('ix_lrs_statement_key_statement_pk'), 'lrs_statement_key', ['statement_pk'], unique=False)

    op.drop_index('ix_lrs_statement_ref', table_name='lrs_statement')
    op.create_index('ix_lrs_statement_ref', 'lrs_statement', ['ref_id'], unique=False,
                    sqlite_where=sa.text('ref_id IS NOT NULL'), postgresql_where=sa.text('ref_id IS NOT NULL'))


def downgrade():
    op.drop_index('ix_lrs_statement_ref', table_name='lrs_statement')
    op.create_index('ix_lrs_statement_ref', 'lrs_statement', ['ref_id'], unique=False)

    _set_aside_old_table(['ix_lrs_statement_key_statement_pk'])
    op.create_table(
        'lrs_statement_key',
        sa.Column('id', STATEMENT_PK, autoincrement=True, nullable=False),
        sa.Column('statement_pk', STATEMENT_PK, nullable=False),
        sa.Column('key_hash', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['statement_pk'], ['lrs_statement.pk'],
                                name=op.f('fk_lrs_statement_key_statement_pk_lrs_statement'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lrs_statement_key')),
    )
    op.execute('INSERT INTO lrs_statement_key (statement_pk, key_hash) '
               'SELECT statement_pk, key_hash FROM lrs_statement_key_old')
    op.drop_table('lrs_statement_key_old')
    op.create_index('ix_lrs_statement_key_lookup', 'lrs_statement_key', ['key_hash', 'statement_pk'], unique=False)
    op.create_index(op.f('ix_lrs_statement_key_statement_pk'), 'lrs_statement_key', ['statement_pk'], unique=False)
