"""The strings of the settings, error, history and server pages (EN/FR), merged into the UI catalog.

Kept apart from `i18n.py` (shared with the chat) so that the pages and the chat can grow their own
strings without editing one file; `i18n.translate` reads both once this module is imported.
"""

from __future__ import annotations

from chatops_commander.entrypoints.web import i18n

PAGES: dict[str, tuple[str, str]] = {
    "common.copy": ("Copy", "Copier"),
    # errors
    "err.forbidden_title": ("Access denied", "Accès refusé"),
    "err.forbidden_admin": ("This page is for admins. Your role ({role}) can't open it; ask an admin if you need "
                            "what it shows.",
                            "Cette page est réservée aux admins. Votre rôle ({role}) ne permet pas de l'ouvrir ; "
                            "demandez à un admin si vous avez besoin de ce qu'elle montre."),
    "err.not_found_title": ("Page not found", "Page introuvable"),
    "err.not_found_help": ("Check the address, or go back to the dashboard.",
                           "Vérifiez l'adresse, ou revenez au tableau de bord."),
    "err.back": ("Back to the dashboard", "Retour au tableau de bord"),
    "err.back_login": ("Go to the login page", "Aller à la page de connexion"),
    "err.previous": ("Previous page", "Page précédente"),
    "err.code": ("Error", "Erreur"),
    # settings: password
    "set.password": ("Password", "Mot de passe"),
    "set.password_current": ("Current password", "Mot de passe actuel"),
    "set.password_new": ("New password", "Nouveau mot de passe"),
    "set.password_repeat": ("Repeat the new password", "Répétez le nouveau mot de passe"),
    "set.password_policy": ("At least 12 characters; not your email, not a common password. A passphrase of a few "
                            "words is easiest to remember.",
                            "Au moins 12 caractères ; ni votre e-mail, ni un mot de passe courant. Une phrase de "
                            "quelques mots est la plus facile à retenir."),
    "set.password_change": ("Change password", "Changer le mot de passe"),
    "set.password_mismatch": ("The two new passwords differ. Type the same one twice.",
                              "Les deux nouveaux mots de passe diffèrent. Saisissez deux fois le même."),
    "set.password_changed": ("✅ Password changed. Every session was closed: log in again with the new one.",
                             "✅ Mot de passe changé. Toutes les sessions ont été fermées : reconnectez-vous avec "
                             "le nouveau."),
    "set.password_missing": ("Type your current password and the new one twice.",
                             "Saisissez votre mot de passe actuel et deux fois le nouveau."),
    # settings: 2FA
    "set.twofa_secret": ("Or type this key in your app:", "Ou saisissez cette clé dans votre application :"),
    "set.twofa_disable_help": ("To turn it off, confirm with your password and a current code (or a recovery code).",
                               "Pour la désactiver, confirmez avec votre mot de passe et un code actuel (ou un code "
                               "de secours)."),
    "set.twofa_disabled": ("✅ 2FA is off.", "✅ La 2FA est désactivée."),
    "set.twofa_enabled": ("✅ 2FA is on. Keep these recovery codes somewhere safe; each works once:",
                          "✅ La 2FA est activée. Gardez ces codes de secours en lieu sûr ; chacun sert une fois :"),
    "set.twofa_code_missing": ("Type the 6-digit code your app shows.",
                               "Saisissez le code à 6 chiffres affiché par votre application."),
    # settings: API tokens
    "tok.title": ("Your API tokens", "Vos jetons d'API"),
    "tok.help": ("For bots, CI and AI agents: a token acts as you, limited to its scope, until it expires or you "
                 "revoke it.",
                 "Pour les bots, la CI et les agents IA : un jeton agit en votre nom, limité à sa portée, jusqu'à "
                 "son expiration ou sa révocation."),
    "tok.admin_only": ("API tokens are for admins. Ask an admin if a bot needs one.",
                       "Les jetons d'API sont réservés aux admins. Demandez à un admin si un bot en a besoin."),
    "tok.name": ("Name", "Nom"),
    "tok.scope": ("Scope", "Portée"),
    "tok.scope_read": ("read — look only", "lecture — consulter seulement"),
    "tok.scope_execute": ("execute — read and run actions", "exécution — consulter et lancer des actions"),
    "tok.days": ("Expires in (days, 1–366)", "Expire dans (jours, 1 à 366)"),
    "tok.create": ("Create token", "Créer le jeton"),
    "tok.created": ("✅ Token created. Copy it now: I show it only once.",
                    "✅ Jeton créé. Copiez-le maintenant : je ne l'affiche qu'une fois."),
    "tok.revoke": ("Revoke", "Révoquer"),
    "tok.revoked": ("✅ Token revoked: it no longer works.", "✅ Jeton révoqué : il ne fonctionne plus."),
    "tok.none": ("No token yet.", "Aucun jeton pour l'instant."),
    "tok.expires": ("Expires", "Expire"),
    "tok.last_used": ("Last used", "Dernière utilisation"),
    "tok.state": ("State", "État"),
    "tok.active": ("active", "actif"),
    "tok.revoked_state": ("revoked", "révoqué"),
    "tok.expired": ("expired", "expiré"),
    "tok.bad_days": ("The expiry must be a whole number of days between 1 and 366.",
                     "L'expiration doit être un nombre entier de jours entre 1 et 366."),
    "tok.bad_name": ("Give the token a name (1–64 characters), e.g. the bot that will use it.",
                     "Donnez un nom au jeton (1 à 64 caractères), par exemple le bot qui l'utilisera."),
    "tok.bad_scope": ("Pick a scope: read or execute.", "Choisissez une portée : lecture ou exécution."),
    # history
    "hist.bad_filter": ("I can't use this filter: ", "Je ne peux pas utiliser ce filtre : "),
    "hist.bad_date": ("{field} must be a date like 2026-11-30 (year-month-day).",
                      "{field} doit être une date comme 2026-11-30 (année-mois-jour)."),
    "hist.bad_range": ("“From” is after “To”: swap them or clear one.",
                       "« Du » est après « Au » : inversez-les ou videz l'un des deux."),
    "hist.bad_choice": ("{field} {value!r} is not one I know; pick one from the list.",
                        "{field} {value!r} ne fait pas partie de ceux que je connais ; choisissez-en un dans la "
                        "liste."),
    "hist.filters": ("Filters", "Filtres"),
    "hist.no_match": ("Nothing matches these filters. Widen the dates or clear a field.",
                      "Rien ne correspond à ces filtres. Élargissez les dates ou videz un champ."),
    "hist.target": ("Target", "Cible"),
    "hist.ip": ("From address", "Depuis l'adresse"),
    "hist.exit": ("Exit code", "Code de sortie"),
    "hist.duration": ("Duration", "Durée"),
    # servers
    "srv.reason": ("Why", "Pourquoi"),
    "srv.diagnose": ("Find out why", "Trouver pourquoi"),
    "srv.key_unknown": ("Host key not trusted: the server offers {fp}. Trust it?",
                        "Clé d'hôte non approuvée : le serveur présente {fp}. L'approuver ?"),
    "srv.key_unknown_viewer": ("Host key not trusted yet: an admin must check and trust it.",
                               "Clé d'hôte pas encore approuvée : un admin doit la vérifier et l'approuver."),
    "srv.key_mismatch": ("The host key changed: the server now offers {fp}. If nobody reinstalled it, this may be "
                         "an attack: check with its owner before trusting the new key.",
                         "La clé d'hôte a changé : le serveur présente maintenant {fp}. Si personne ne l'a "
                         "réinstallé, c'est peut-être une attaque : vérifiez avec son responsable avant "
                         "d'approuver la nouvelle clé."),
    "srv.trust": ("Trust this key", "Approuver cette clé"),
    "srv.trusted": ("✅ Host key {fp} trusted for {name}. I'll use it from the next connection on.",
                    "✅ Clé d'hôte {fp} approuvée pour {name}. Je l'utilise dès la prochaine connexion."),
    "srv.no_key": ("I could not read the key it offers: {why}", "Je n'ai pas pu lire la clé présentée : {why}"),
    "srv.reason_unknown": ("I have no detail yet. An admin can run “Find out why”.",
                           "Je n'ai pas encore de détail. Un admin peut lancer « Trouver pourquoi »."),
    "srv.actions": ("Actions", "Actions"),
    "srv.services_label": ("Services", "Services"),
    # dashboard
    "dash.services": ("Services", "Services"),
    "dash.no_services": ("No service watched on these servers. Add them on the Servers page.",
                         "Aucun service surveillé sur ces serveurs. Ajoutez-les sur la page Serveurs."),
    "dash.updated": ("Updated after your action.", "Mis à jour après votre action."),
    "svc.running": ("running", "actif"),
    "svc.stopped": ("stopped", "arrêté"),
    "svc.failed": ("failed", "en échec"),
    "svc.unknown": ("unknown", "inconnu"),
}

i18n._CATALOG.update(PAGES)


def text(lang: str, key: str, **values: object) -> str:
    """A page string with its `{placeholders}` filled."""
    template = i18n.translate(lang, key)
    return template.format(**values) if values else template
