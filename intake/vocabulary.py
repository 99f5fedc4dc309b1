"""The product's terms in plain English, shared by the staff pages, Slack, letters and reports."""

from __future__ import annotations

from store.models import Channel, Label

LABEL_NAMES: dict[str, str] = {
    Label.COMPLAINT: "Complaint",
    Label.SERVICE_REQUEST: "Service request",
    Label.OTHER: "Other (not a complaint or request)",
}

CHANNEL_NAMES: dict[str, str] = {
    Channel.EMAIL: "Email",
    Channel.CHAT: "Web chat",
    Channel.SLACK: "Slack (passed on by staff)",
    Channel.STAFF_FORM: "Staff form",
    Channel.PHONE: "Phone",
    Channel.IN_PERSON: "In person",
    Channel.LETTER: "Letter",
    Channel.SOCIAL_MEDIA: "Social media",
    Channel.OTHER: "Other",
}

# The contract's hazard flags, in its order, as people say them.
HAZARD_NAMES: dict[str, str] = {
    "damp_mould": "damp and mould",
    "gas": "gas",
    "electrical": "electrical",
    "water_leak": "water leak",
    "no_heating": "no heating",
    "no_hot_water": "no hot water",
    "structural": "structural",
    "fire_safety": "fire safety",
    "security": "security",
    "pests": "pests",
}
