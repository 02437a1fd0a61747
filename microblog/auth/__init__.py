"""Accounts: register, log in, log out."""

from flask import Blueprint

# Its views register themselves on bp when create_app() imports their modules.
bp = Blueprint("auth", __name__)
