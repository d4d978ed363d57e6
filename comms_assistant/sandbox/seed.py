"""What the sandbox tenant holds when it is first created.

The product's default settings point at these, so with no tenant configured everything works.
"""

TENANT_ID = "00000000-0000-4000-8000-00000000c0de"
SITE_HOSTNAME = "example.sharepoint.com"
SITE_PATH = "sites/incidents"
SITE_NAME = "incidents"
LIBRARY = "Documents"
TEMPLATES_FOLDER = "Templates"
REPORTS_FOLDER = "Incident reports"
# Security incidents' documents: a folder of its own, so its permissions can be limited to the
# security team (the assistant never sets permissions; an administrator does).
SECURITY_REPORTS_FOLDER = "Security incident reports"
FOLDERS = (TEMPLATES_FOLDER, REPORTS_FOLDER, SECURITY_REPORTS_FOLDER)

MAILBOXES = ("incidents@example.org",)

TEAM_ID = "5f0b9c1e-0000-4000-8000-0000000000a1"
TEAM_NAME = "Incident response"
CHANNEL_ID = "19:incidents0000000000000000000001@thread.tacv2"
CHANNEL_NAME = "Incidents"
# Other channels of the team, so contacts can be reached in their own ("Team/Channel").
OTHER_CHANNELS = {"19:supportdesk000000000000000001@thread.tacv2": "Support desk"}

# The service account a delegated token is issued for (grant_type=password): Teams refuses
# app-only tokens for posting, so the product posts to channels as this account.
SERVICE_ACCOUNT = "comms.assistant@example.org"
SERVICE_ACCOUNT_PASSWORD = "sandbox"
SERVICE_ACCOUNT_ID = "00000000-0000-4000-8000-0000000000b0"
SERVICE_ACCOUNT_NAME = "Comms Assistant (sandbox)"

# The mailboxes above are shared mailboxes (no licence, nobody signs in to them): Exchange lets
# an app send mail from one, but its calendar cannot organise Teams meetings (calendars.py).
SHARED_MAILBOXES = frozenset(m.lower() for m in MAILBOXES)
SHARED_MAILBOX_NAMES = {"incidents@example.org": "Incident communications"}
SHARED_MAILBOX_IDS = {"incidents@example.org": "00000000-0000-4000-8000-0000000000b1"}

# Planner: a team is a Microsoft 365 group with the team's id, and that group holds one plan
# with one bucket, so the product's `actions_plan` has somewhere to point. Planner ids are 28
# characters, case-sensitive.
GROUP_ID = TEAM_ID
PLAN_ID = "sandboxIncidentActionsPlan01"
PLAN_TITLE = "Incident actions"
BUCKET_ID = "sandboxIncidentActionsToDo01"
BUCKET_NAME = "To do"

# The public status page (statuspage.py): one Atlassian Statuspage page whose components are the
# bundled catalogue's services (contacts/services.csv), and the API key that may use it.
# Statuspage ids are 12 lower-case letters and digits.
STATUSPAGE_PAGE_ID = "sandboxpage1"
STATUSPAGE_PAGE_NAME = "Example services status"
STATUSPAGE_API_KEY = "sandbox-statuspage-key"
# (service key, component id, component name), in the order the page lists them.
STATUSPAGE_COMPONENTS = (
    ("apply", "sbxapply0001", "Apply for teacher training"),
    ("find", "sbxfind00001", "Find teacher training courses"),
    ("register", "sbxregister1", "Register trainee teachers"),
    ("sign-in", "sbxsignin001", "DfE Sign-in"),
)

# The Upptime status repository (github.py): GitHub's issues API on `owner/repo`, a token that
# may write to it, and the sites of its .upptimerc.yml (name, slug = the service's key, url).
GITHUB_TOKEN = "github_pat_sandbox_status"
GITHUB_LOGIN = "comms-assistant-sandbox"
STATUS_REPO = "example-org/status"
UPPTIME_SITES = (
    ("Apply for teacher training", "apply", "https://apply.example.org"),
    ("Find teacher training courses", "find", "https://find.example.org"),
    ("Register trainee teachers", "register", "https://register.example.org"),
    ("DfE Sign-in", "sign-in", "https://signin.example.org"),
)
