"""Forms of the portal. They parse and render; the services decide what is valid in the domain,
and their ``ValidationFailed.fields`` come back as field errors (see ``add_service_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Datatype
from apps.core.choices import Priority
from apps.portal.templatetags.portal import loc_name
from apps.tickets.models import Channel

ATTR_PREFIX = "attr_"


def add_service_errors(form: forms.Form, error, *, aliases: dict | None = None) -> None:
    """Put a service's field errors on the form's fields (``attributes.x`` → ``attr_x``); the rest on top."""
    aliases = aliases or {}
    fields = getattr(error, "fields", None) or {}
    if not fields:
        form.add_error(None, str(error.message if hasattr(error, "message") else error))
        return
    for key, messages in fields.items():
        name = aliases.get(key, key)
        if name.startswith("attributes."):
            name = ATTR_PREFIX + name.split(".", 1)[1]
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, str(message))


def attribute_fields(category) -> dict[str, forms.Field]:
    """Form fields for a category's attributes (Open311 datatypes)."""
    out = {}
    for attribute in category.attributes.all():
        label = loc_name(attribute)
        common = {"label": label, "required": attribute.required, "help_text": attribute.description}
        if not attribute.variable:
            continue
        choices = [(str(v.get("key")), v.get("name", v.get("key"))) for v in attribute.values or []]
        kind = attribute.datatype
        if kind == Datatype.NUMBER:
            field = forms.DecimalField(
                **common, widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
            )
        elif kind == Datatype.DATETIME:
            field = forms.DateTimeField(
                **common,
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            )
        elif kind == Datatype.TEXT:
            field = forms.CharField(**common, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
        elif kind == Datatype.SINGLEVALUELIST:
            field = forms.ChoiceField(**common, choices=[("", "—"), *choices])
        elif kind == Datatype.MULTIVALUELIST:
            field = forms.MultipleChoiceField(**common, choices=choices, widget=forms.CheckboxSelectMultiple)
        else:
            field = forms.CharField(**common, max_length=200)
        if attribute.datatype_description:
            field.widget.attrs.setdefault("placeholder", attribute.datatype_description)
        out[ATTR_PREFIX + attribute.code] = field
    return out


def attribute_values(form: forms.Form) -> dict:
    """The answers as the catalog's validator expects them (datetimes as ISO strings)."""
    values = {}
    for name, value in form.cleaned_data.items():
        if not name.startswith(ATTR_PREFIX) or value in (None, "", []):
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif not isinstance(value, (str, list)):
            value = str(value)
        values[name[len(ATTR_PREFIX) :]] = value
    return values


def category_choices(categories) -> list:
    """Leaf categories grouped under their group (a category with children is a group, not a choice)."""
    categories = list(categories)
    by_pk = {c.pk: c for c in categories}
    parent_ids = {c.parent_id for c in categories if c.parent_id}
    groups: dict = {}
    for c in categories:
        if c.pk in parent_ids:
            continue
        group = by_pk.get(c.parent_id)
        groups.setdefault(loc_name(group) if group else "", []).append((c.code, loc_name(c)))
    choices: list = [("", "—")]
    for name, items in groups.items():
        choices.extend(items) if not name else choices.append((name, items))
    return choices


class RequestForm(forms.Form):
    """The resident's request (also the base of the desk and patrol forms)."""

    category = forms.ChoiceField(label=_("Service"))
    description = forms.CharField(label=_("What happened?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    community = forms.ChoiceField(label=_("Community"), required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    contact_phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, categories=(), category=None, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(categories)
        self.fields["community"].choices = [("", "—"), *[(c.code, c.name) for c in communities]]
        self.category = category
        if category is not None:
            self.fields.update(attribute_fields(category))

    def service_data(self) -> dict:
        data = {k: self.cleaned_data.get(k) for k in ("category", "description", "address", "lat", "lng", "community")}
        data.update(
            contact_name=self.cleaned_data.get("contact_name") or "",
            contact_phone=self.cleaned_data.get("contact_phone") or "",
            attributes=attribute_values(self),
        )
        data["address"] = data["address"] or ""
        data["community"] = data["community"] or ""
        return data


class DeskForm(RequestForm):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(Channel.WINDOW, Channel.WINDOW.label), (Channel.PHONE, Channel.PHONE.label)]
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=[("", "—"), *Priority.choices], required=False)
    resolve_on_spot = forms.BooleanField(label=_("Resolved on the spot"), required=False)
    resolution_note = forms.CharField(
        label=_("How it was resolved"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = ["contact_phone", "contact_name", "channel", "category", "description", "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_phone"].widget.attrs["autofocus"] = True
        self.fields["contact_phone"].required = True
        self.fields["contact_name"].required = True
        self.fields["contact_name"].label = _("Resident's name")
        self.fields["contact_phone"].label = _("Resident's phone")
        self.fields["community"].help_text = _("Where the request belongs when no point is given.")

    def service_data(self) -> dict:
        data = super().service_data()
        data.update(
            channel=self.cleaned_data["channel"],
            priority=self.cleaned_data.get("priority") or None,
            resolve_on_spot=bool(self.cleaned_data.get("resolve_on_spot")),
            resolution_note=self.cleaned_data.get("resolution_note") or "",
        )
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)
    phone_last4 = forms.CharField(
        label=_("Last four digits of the phone"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}", "autocomplete": "off"}),
    )


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ: type the same password twice."))
        return data


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos); the content is checked by the attachment service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)
