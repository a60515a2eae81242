"""Sign in and out, change one's password, choose a password through an emailed link."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from priorauth.errors import NotFound, ValidationFailed
from priorauth.extensions import db, limiter
from priorauth.queries.demo_signins import demo_sign_ins
from priorauth.services import accounts, password_links
from priorauth.web import sessions
from priorauth.web.commit import committed
from priorauth.web.forms import safe_next

bp = Blueprint("auth", __name__)

SIGN_IN_REFUSED = "Email or password is not right."
LINK_REFUSED = (
    "This link has expired or has already been used. Ask your clinic's admin to send a new one."
)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _failed(response) -> bool:
    """Only failed attempts count against the address (a success redirects)."""
    return response.status_code not in (302, 303)


# Failed sign-ins (and failed password changes) per client address, within a window.
throttle = limiter.limit(_sign_in_limit, methods=["POST"], deduct_when=_failed, scope="sign-in")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class NewPasswordForm(FlaskForm):
    new_password = PasswordField("New password", validators=[DataRequired()])
    confirm = PasswordField("New password again", validators=[DataRequired()])


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])


def _status() -> int:
    return 200 if request.method == "GET" else 422


def _show_refusal(form: FlaskForm, error: ValidationFailed) -> None:
    """The service's refusal beside the fields it names."""
    db.session.rollback()
    for name, messages in error.errors.items():
        field = getattr(form, name)
        field.errors = [*field.errors, *messages]


@bp.errorhandler(429)
def too_many_attempts(_error):
    return render_template("auth/too_many.html"), 429


@bp.route("/login", methods=["GET", "POST"])
@throttle
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user, _ = committed(lambda: accounts.sign_in(form.email.data, form.password.data))
        if user is not None:
            sessions.begin(user)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        form.password.errors.append(SIGN_IN_REFUSED)
    demo = demo_sign_ins(current_app.config["PRIORAUTH_ENV"])
    return render_template("auth/login.html", form=form, demo=demo), _status()


@bp.post("/logout")
@login_required
def logout():
    accounts.sign_out(current_user._get_current_object())
    db.session.commit()
    sessions.end()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@throttle
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_password(
                current_user._get_current_object(),
                form.current_password.data,
                form.new_password.data,
                form.confirm.data,
            )
        except ValidationFailed as error:
            _show_refusal(form, error)
        else:
            db.session.commit()
            sessions.renew(user)
            flash("Your password is changed. Your other sessions have ended.", "info")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form), _status()


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _password_from_link(token, "reset")


@bp.route("/password/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    return _password_from_link(token, "invite")


def _password_from_link(token: str, purpose: str):
    user = password_links.user_for_token(token, purpose)
    if user is None:
        raise NotFound(LINK_REFUSED)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password_from_link(
                user, purpose, form.new_password.data, form.confirm.data
            )
        except ValidationFailed as error:
            _show_refusal(form, error)
        else:
            db.session.commit()
            sessions.end()
            flash("Your password is set. Sign in with it.", "info")
            return redirect(url_for("auth.login"))
    page = render_template("auth/set_password.html", form=form, purpose=purpose, user=user)
    return page, _status()
