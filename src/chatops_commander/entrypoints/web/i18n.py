"""The web UI's strings in English and French, and how a request's language is chosen.

Tone of voice (seed "Identité de marque"): "I" for the assistant, "you" for the user, explain before
acting, ask rather than assume, clear and short, ✅ allowed, no party emoji.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "fr")
LANG_COOKIE = "cc_lang"
THEME_COOKIE = "cc_theme"
THEMES = ("dark", "light")

_CATALOG: dict[str, tuple[str, str]] = {
    # chrome
    "app.name": ("ChatOps Commander", "ChatOps Commander"),
    "app.slogan": ("Talk to your infrastructure", "Parlez à votre infrastructure"),
    "nav.main": ("Main navigation", "Navigation principale"),
    "nav.dashboard": ("Dashboard", "Tableau de bord"),
    "nav.chat": ("Chat", "Chat"),
    "nav.history": ("History", "Historique"),
    "nav.servers": ("Servers", "Serveurs"),
    "nav.users": ("Users", "Utilisateurs"),
    "nav.settings": ("Settings", "Paramètres"),
    "nav.logout": ("Log out", "Se déconnecter"),
    "nav.skip": ("Skip to content", "Aller au contenu"),
    "nav.menu": ("Menu", "Menu"),
    "common.save": ("Save", "Enregistrer"),
    "common.cancel": ("Cancel", "Annuler"),
    "common.add": ("Add", "Ajouter"),
    "common.edit": ("Edit", "Modifier"),
    "common.delete": ("Delete", "Supprimer"),
    "common.close": ("Close", "Fermer"),
    "common.none": ("Nothing here yet.", "Rien ici pour l'instant."),
    "common.loading": ("Loading…", "Chargement…"),
    "common.saved": ("✅ Saved.", "✅ Enregistré."),
    "common.error": ("That did not work: ", "Ça n'a pas marché : "),
    "common.offline": ("I can't reach the server right now; I'll retry.",
                       "Je n'arrive pas à joindre le serveur pour l'instant ; je réessaie."),
    "common.unavailable": ("This needs an API this build doesn't have yet.",
                           "Il faut pour cela une API que cette version n'a pas encore."),
    "common.yes": ("yes", "oui"),
    "common.no": ("no", "non"),
    "common.never": ("never", "jamais"),
    "common.search": ("Filter", "Filtrer"),
    "common.reset": ("Reset", "Réinitialiser"),
    # risk
    "risk.label": ("Risk", "Risque"),
    "risk.low": ("Low risk", "Risque faible"),
    "risk.medium": ("Medium risk", "Risque moyen"),
    "risk.high": ("High risk", "Risque élevé"),
    "risk.critical": ("Critical", "Critique"),
    # status
    "status.online": ("online", "en ligne"),
    "status.offline": ("offline", "hors ligne"),
    "status.unknown": ("not checked yet", "pas encore vérifié"),
    "status.error": ("error", "erreur"),
    "severity.info": ("info", "info"),
    "severity.warning": ("warning", "avertissement"),
    "severity.critical": ("critical", "critique"),
    # login
    "login.title": ("Log in", "Connexion"),
    "login.email": ("Email", "E-mail"),
    "login.password": ("Password", "Mot de passe"),
    "login.submit": ("Log in", "Se connecter"),
    "login.totp": ("Two-factor code", "Code à deux facteurs"),
    "login.totp_help": ("Open your authenticator app and type the 6-digit code, or one of your recovery codes.",
                        "Ouvrez votre application d'authentification et saisissez le code à 6 chiffres, ou un de "
                        "vos codes de secours."),
    "login.verify": ("Verify", "Vérifier"),
    "login.bad": ("That email and password don't match. Check them and try again.",
                  "Cet e-mail et ce mot de passe ne correspondent pas. Vérifiez-les et réessayez."),
    "login.welcome": ("Welcome back. I'm ready when you are.", "Bon retour. Je suis prêt quand vous l'êtes."),
    # dashboard
    "dash.title": ("Dashboard", "Tableau de bord"),
    "dash.fleet": ("Fleet", "Parc"),
    "dash.servers_up": ("servers online", "serveurs en ligne"),
    "dash.open_alerts": ("Open alerts", "Alertes ouvertes"),
    "dash.no_alerts": ("No open alerts. Everything I watch looks fine.",
                       "Aucune alerte ouverte. Tout ce que je surveille va bien."),
    "dash.load": ("Load", "Charge"),
    "dash.memory": ("Memory", "Mémoire"),
    "dash.disk": ("Disk", "Disque"),
    "dash.last_check": ("Last check", "Dernière vérification"),
    "dash.no_servers": ("You have no servers yet. Add your first one and I'll start watching it.",
                        "Vous n'avez encore aucun serveur. Ajoutez le premier et je commence à le surveiller."),
    "dash.no_data": ("no data yet", "pas encore de données"),
    "dash.live": ("Live: refreshed every 15 s", "En direct : actualisé toutes les 15 s"),
    "dash.ask": ("Ask about this server", "Poser une question sur ce serveur"),
    # chat
    "chat.title": ("Chat", "Chat"),
    "chat.conversations": ("Conversations", "Conversations"),
    "chat.new": ("New conversation", "Nouvelle conversation"),
    "chat.input": ("Your request", "Votre demande"),
    "chat.placeholder": ("e.g. check disk space on localhost", "ex. : espace disque sur localhost"),
    "chat.send": ("Send", "Envoyer"),
    "chat.hint": ("Enter sends · ↑ recalls your last request", "Entrée envoie · ↑ rappelle votre dernière demande"),
    "chat.hello": ("Hi. Tell me what you need, in English or French, and I'll explain before I act.",
                   "Bonjour. Dites-moi ce dont vous avez besoin, en français ou en anglais, et je vous "
                   "explique avant d'agir."),
    "chat.confirm": ("Confirm", "Confirmer"),
    "chat.approve": ("Approve", "Approuver"),
    "chat.reject": ("Reject", "Rejeter"),
    "chat.confirm_title": ("I need your confirmation", "J'ai besoin de votre confirmation"),
    "chat.approval_title": ("Approval needed (4-eyes)", "Approbation requise (4 yeux)"),
    "chat.targets": ("Targets", "Cibles"),
    "chat.requested_by": ("Requested by", "Demandé par"),
    "chat.cancelled": ("Cancelled. I did nothing.", "Annulé. Je n'ai rien fait."),
    "chat.confirmed": ("Confirmed. I'm on it.", "Confirmé. Je m'en occupe."),
    "chat.suggestions": ("Suggestions", "Suggestions"),
    "chat.unavailable": ("The conversation engine isn't running in this build yet, so I can't answer here. "
                         "The CLI (`chatops run`) works in the meantime.",
                         "Le moteur de conversation ne tourne pas encore dans cette version, je ne peux donc "
                         "pas répondre ici. En attendant, la CLI (`chatops run`) fonctionne."),
    "chat.disconnected": ("Live updates paused; I'm reconnecting…", "Mises à jour en pause ; je me reconnecte…"),
    "chat.empty": ("No conversation yet. Ask me something to start one.",
                   "Aucune conversation. Posez-moi une question pour en commencer une."),
    "chat.you": ("You", "Vous"),
    "chat.assistant": ("Commander", "Commander"),
    "chat.reason": ("Reason", "Motif"),
    "chat.output": ("Output", "Sortie"),
    "chat.output_of": ("Output of {host}", "Sortie de {host}"),
    "chat.output_lines": ("{n} lines", "{n} lignes"),
    "chat.output_empty": ("No output.", "Aucune sortie."),
    "chat.output_loading": ("Loading the output…", "Chargement de la sortie…"),
    "chat.output_failed": ("I couldn't load this output: {why}", "Je n'ai pas pu charger cette sortie : {why}"),
    "chat.copy": ("Copy", "Copier"),
    "chat.copied": ("Output copied to the clipboard.", "Sortie copiée dans le presse-papiers."),
    "chat.copy_failed": ("The browser refused the copy: select the text and copy it by hand.",
                         "Le navigateur a refusé la copie : sélectionnez le texte et copiez-le à la main."),
    "chat.search": ("Search in this output", "Chercher dans cette sortie"),
    "chat.matches": ("{n} matching lines", "{n} lignes trouvées"),
    "chat.match_one": ("1 matching line", "1 ligne trouvée"),
    "chat.output_line": ("1 line", "1 ligne"),
    "chat.matches_shown": ("{n} matching lines (first {shown} shown)",
                           "{n} lignes trouvées ({shown} premières affichées)"),
    "chat.no_match": ("No line contains this text.", "Aucune ligne ne contient ce texte."),
    "chat.show_more": ("Show more", "Afficher plus"),
    "chat.shown_of": ("{shown} of {total} lines shown", "{shown} lignes sur {total} affichées"),
    "chat.mark_ok": ("OK", "OK"),
    "chat.mark_failed": ("Failed", "Échec"),
    "chat.mark_warning": ("Warning", "Attention"),
    "chat.mark_waiting": ("In progress", "En cours"),
    "chat.mark_unknown": ("Unknown", "Inconnu"),
    "chat.action": ("Action", "Action"),
    "chat.version": ("Version", "Version"),
    "chat.environment": ("Environment", "Environnement"),
    "chat.hosts": ("Hosts", "Serveurs"),
    "chat.steps": ("Runbook steps", "Étapes du runbook"),
    "chat.risk": ("Risk", "Risque"),
    "chat.expires": ("Expires", "Expire"),
    "chat.deadline": ("Time limit", "Délai"),
    "chat.expires_left": ("expires in {left}", "expire dans {left}"),
    "chat.expires_soon": ("expires in less than a minute", "expire dans moins d'une minute"),
    "chat.expired_now": ("expired", "expiré"),
    "chat.state_requested": ("Waiting for an admin's decision", "En attente de la décision d'un admin"),
    "chat.state_approved": ("Approved", "Approuvée"),
    "chat.state_rejected": ("Rejected", "Rejetée"),
    "chat.state_expired": ("Expired: nobody decided in time", "Expirée : personne n'a décidé à temps"),
    "chat.valid_until": ("Valid until {when}", "Valable jusqu'à {when}"),
    "chat.options": ("Next steps", "Suites possibles"),
    "chat.retry_in": ("Your message is kept in the box: send it again in {n} s.",
                      "Votre message est gardé dans la zone de saisie : renvoyez-le dans {n} s."),
    "chat.send_failed": ("Your message is kept in the box: send it again when you are ready.",
                         "Votre message est gardé dans la zone de saisie : renvoyez-le quand vous voulez."),
    "chat.list_failed": ("I couldn't load your conversations ({why}). I'll try again in {n} s.",
                         "Je n'ai pas pu charger vos conversations ({why}). Je réessaie dans {n} s."),
    "chat.decided": ("Decision recorded.", "Décision enregistrée."),
    # history
    "hist.title": ("History", "Historique"),
    "hist.mine": ("Your commands", "Vos commandes"),
    "hist.command": ("Command", "Commande"),
    "hist.commands": ("Commands and events", "Commandes et événements"),
    "hist.user": ("User", "Utilisateur"),
    "hist.server": ("Server", "Serveur"),
    "hist.action": ("Action", "Action"),
    "hist.outcome": ("Outcome", "Résultat"),
    "hist.from": ("From", "Du"),
    "hist.to": ("To", "Au"),
    "hist.when": ("When", "Quand"),
    "hist.details": ("Details", "Détails"),
    "hist.export_csv": ("Export CSV", "Exporter en CSV"),
    "hist.export_json": ("Export JSON", "Exporter en JSON"),
    "hist.any": ("any", "tous"),
    "hist.count": ("events shown", "événements affichés"),
    "hist.admin_only": ("The audit trail is for admins. Ask an admin if you need an extract.",
                        "Le journal d'audit est réservé aux admins. Demandez un extrait à un admin si besoin."),
    # servers
    "srv.title": ("Servers", "Serveurs"),
    "srv.add": ("Add a server", "Ajouter un serveur"),
    "srv.name": ("Name", "Nom"),
    "srv.hostname": ("Hostname", "Nom d'hôte"),
    "srv.ip": ("IP address", "Adresse IP"),
    "srv.port": ("SSH port", "Port SSH"),
    "srv.user": ("SSH user", "Utilisateur SSH"),
    "srv.tags": ("Tags (comma-separated)", "Étiquettes (séparées par des virgules)"),
    "srv.services": ("Services to watch (comma-separated)", "Services à surveiller (séparés par des virgules)"),
    "srv.become": ("Run commands through sudo (passwordless sudo for this account)",
                   "Lancer les commandes via sudo (sudo sans mot de passe pour ce compte)"),
    "srv.fingerprint": ("Host key fingerprint", "Empreinte de la clé d'hôte"),
    "srv.not_pinned": ("not pinned yet (pinned on first connection)",
                       "pas encore épinglée (épinglée à la première connexion)"),
    "srv.import": ("Import an inventory", "Importer un inventaire"),
    "srv.import_help": ("Paste an Ansible inventory (INI or YAML) or an ssh config. I check every host first: "
                        "if one is wrong I add nothing and tell you which line to fix.",
                        "Collez un inventaire Ansible (INI ou YAML) ou un ssh config. Je vérifie chaque hôte "
                        "d'abord : si l'un est faux je n'ajoute rien et je vous dis quelle ligne corriger."),
    "srv.inventory": ("Inventory", "Inventaire"),
    "srv.test": ("Test connection", "Tester la connexion"),
    "srv.admin_only": ("Only admins can change servers. You can still see them here.",
                       "Seuls les admins peuvent modifier les serveurs. Vous pouvez quand même les voir ici."),
    "srv.status": ("Status", "État"),
    "srv.added": ("✅ Server added. I'll check it in the next collection round.",
                  "✅ Serveur ajouté. Je le vérifie au prochain passage de collecte."),
    "srv.delete_confirm": ("Remove this server? Its history stays in the audit trail.",
                           "Retirer ce serveur ? Son historique reste dans le journal d'audit."),
    # users
    "usr.title": ("Users and permissions", "Utilisateurs et permissions"),
    "usr.add": ("Add a user", "Ajouter un utilisateur"),
    "usr.name": ("Name", "Nom"),
    "usr.email": ("Email", "E-mail"),
    "usr.role": ("Role", "Rôle"),
    "usr.active": ("Active", "Actif"),
    "usr.twofa": ("2FA", "2FA"),
    "usr.last_login": ("Last login", "Dernière connexion"),
    "usr.password": ("Initial password (12+ characters)", "Mot de passe initial (12 caractères ou plus)"),
    "usr.permissions": ("Per-server permissions", "Permissions par serveur"),
    "usr.can_read": ("read", "lecture"),
    "usr.can_execute": ("execute", "exécution"),
    "usr.can_admin": ("admin", "admin"),
    "usr.grant": ("Grant", "Accorder"),
    "usr.tag_permissions": ("Permissions by tag", "Permissions par étiquette"),
    "usr.tag": ("Tag", "Étiquette"),
    "usr.tag_help": ("A grant on a tag covers every server carrying it, including servers added later; "
                     "a server's own row above wins over its tags.",
                     "Une permission sur une étiquette couvre tous les serveurs qui la portent, y compris ceux "
                     "ajoutés plus tard ; la ligne propre à un serveur (ci-dessus) l'emporte sur ses étiquettes."),
    "usr.remove": ("Remove", "Retirer"),
    "usr.disable": ("Disable", "Désactiver"),
    "usr.enable": ("Enable", "Réactiver"),
    "usr.reset_2fa": ("Reset 2FA", "Réinitialiser la 2FA"),
    "usr.tokens": ("API tokens", "Jetons d'API"),
    "usr.token_name": ("Token name", "Nom du jeton"),
    "usr.token_scope": ("Scope", "Portée"),
    "usr.token_days": ("Expires in (days)", "Expire dans (jours)"),
    "usr.token_create": ("Create token", "Créer le jeton"),
    "usr.token_shown_once": ("Copy it now: I show it only once.",
                             "Copiez-le maintenant : je ne l'affiche qu'une fois."),
    "usr.revoke": ("Revoke", "Révoquer"),
    "usr.expires": ("Expires", "Expire"),
    "usr.last_used": ("Last used", "Dernière utilisation"),
    "usr.admin_only": ("Only admins manage users. Your own API tokens are below.",
                       "Seuls les admins gèrent les utilisateurs. Vos propres jetons d'API sont ci-dessous."),
    "role.viewer": ("viewer", "lecteur"),
    "role.operator": ("operator", "opérateur"),
    "role.admin": ("admin", "admin"),
    # settings
    "set.title": ("Settings", "Paramètres"),
    "set.appearance": ("Appearance", "Apparence"),
    "set.language": ("Language", "Langue"),
    "set.theme": ("Theme", "Thème"),
    "set.dark": ("Dark (neon)", "Sombre (néon)"),
    "set.light": ("Light", "Clair"),
    "set.twofa": ("Two-factor authentication", "Authentification à deux facteurs"),
    "set.twofa_on": ("2FA is on for your account.", "La 2FA est activée sur votre compte."),
    "set.twofa_off": ("2FA is off. Turn it on: I'll show a QR code for your authenticator app.",
                      "La 2FA est désactivée. Activez-la : je vous affiche un QR code pour votre application "
                      "d'authentification."),
    "set.twofa_start": ("Set up 2FA", "Configurer la 2FA"),
    "set.twofa_scan": ("Scan this code, then type the 6-digit code your app shows.",
                       "Scannez ce code, puis saisissez le code à 6 chiffres affiché par votre application."),
    "set.twofa_confirm": ("Turn on 2FA", "Activer la 2FA"),
    "set.twofa_codes": ("Your recovery codes (shown once; keep them somewhere safe):",
                        "Vos codes de secours (affichés une seule fois ; gardez-les en lieu sûr) :"),
    "set.twofa_disable": ("Turn off 2FA", "Désactiver la 2FA"),
    "set.twofa_required": ("Your organisation requires 2FA for admins: please set it up now.",
                           "Votre organisation exige la 2FA pour les admins : configurez-la maintenant."),
    "set.account": ("Account", "Compte"),
    "set.logout_all": ("Log out everywhere", "Se déconnecter partout"),
    # onboarding
    "onb.title": ("Welcome aboard", "Bienvenue à bord"),
    "onb.intro": ("Two steps and you're set: add a server, then ask me something about it. I'll explain each "
                  "step before I do anything.",
                  "Deux étapes et c'est prêt : ajoutez un serveur, puis posez-moi une question à son sujet. "
                  "Je vous explique chaque étape avant d'agir."),
    "onb.step1": ("1. Add your first server", "1. Ajoutez votre premier serveur"),
    "onb.step1_done": ("You already have servers, including this machine (localhost).",
                       "Vous avez déjà des serveurs, dont cette machine (localhost)."),
    "onb.step2": ("2. Run a first guided command", "2. Lancez une première commande guidée"),
    "onb.step2_help": ("This one is read-only and safe: it shows the disk usage of this machine.",
                       "Celle-ci ne fait que lire, sans risque : elle affiche l'occupation disque de cette machine."),
    "onb.try": ("Try it in the chat", "L'essayer dans le chat"),
    "onb.first_command": ("check disk space on localhost", "espace disque sur localhost"),
    "onb.skip": ("Go to the dashboard", "Aller au tableau de bord"),
    # errors
    "err.not_found": ("I can't find that page.", "Je ne trouve pas cette page."),
    "err.forbidden": ("You don't have access to this. Ask an admin if you need it.",
                      "Vous n'avez pas accès à ceci. Demandez à un admin si vous en avez besoin."),
}


def translate(lang: str, key: str) -> str:
    pair = _CATALOG.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "fr" else pair[0]


def catalog(lang: str, prefix: str = "") -> dict[str, str]:
    """The strings a script needs (sent as data attributes / JSON to the page)."""
    return {k: translate(lang, k) for k in _CATALOG if k.startswith(prefix)}


def keys() -> Mapping[str, tuple[str, str]]:
    return _CATALOG


def choose_language(cookie: str | None, accept_language: str | None, user_language: str | None) -> str:
    """The language switch's choice on this browser (cookie), else the language the logged-in person chose for
    their account (the switch saves it, for every device; None when they never chose one), else the browser's
    first language, else English."""
    if cookie in LANGUAGES:
        return cookie
    if user_language in LANGUAGES:
        return user_language
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
        if code:
            break
    return "en"
