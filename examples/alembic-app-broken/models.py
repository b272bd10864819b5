"""Models at head: exactly what alembic/versions builds (autogenerate finds no difference).

The org_overview view (revision 6) is not a model: autogenerate does not compare views.
"""
from sqlalchemy import Column, DateTime, Enum, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Plan(Base):
    __tablename__ = "plans"

    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, unique=True)
    name = Column(String(100), nullable=False)
    monthly_price_cents = Column(Integer, nullable=False)


class Org(Base):
    __tablename__ = "orgs"

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    plan_id = Column(Integer, ForeignKey("plans.id", name="fk_orgs_plan_id_plans"), nullable=False)
    created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    plan = relationship(Plan)
    users = relationship("User", back_populates="org")


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("orgs.id"), nullable=False)
    email = Column(String(255), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    org = relationship(Org, back_populates="users")


class Chat(Base):
    __tablename__ = "chats"

    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("orgs.id"), nullable=False)
    title = Column(String(200))
    created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    last_message_at = Column(DateTime(timezone=True), index=True)

    messages = relationship("Message", back_populates="chat", passive_deletes=True)


class Message(Base):
    __tablename__ = "messages"

    id = Column(Integer, primary_key=True)
    chat_id = Column(Integer, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = Column(Integer, ForeignKey("users.id"))
    body = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    chat = relationship(Chat, back_populates="messages")


class Pdf(Base):
    __tablename__ = "pdfs"

    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("orgs.id"), nullable=False)
    uploaded_by = Column(Integer, ForeignKey("users.id"))
    filename = Column(String(255), nullable=False)
    status = Column(
        Enum("uploaded", "processing", "ready", "failed", name="pdf_status"),
        server_default="uploaded",
        nullable=False,
    )
    page_count = Column(Integer)
    processing_started_at = Column(DateTime(timezone=True), index=True)
    created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
