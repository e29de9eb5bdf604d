"""URLs of the performance app: each area lists its own paths in `<area>/urls.py`.

Listed explicitly, in the order they are matched, so a broken import fails start-up loudly.
All share the `performance:` namespace (URL names are a public interface: SPEC).
"""

from performance.accounts import urls as account_urls
from performance.collection import urls as collection_urls
from performance.council import urls as council_urls
from performance.indicators import urls as indicator_urls
from performance.manage import urls as manage_urls
from performance.plans import urls as plan_urls
from performance.risks import urls as risk_urls

app_name = "performance"

urlpatterns = [
    *indicator_urls.urlpatterns,
    *plan_urls.urlpatterns,
    *risk_urls.urlpatterns,
    *council_urls.urlpatterns,
    *manage_urls.urlpatterns,
    *collection_urls.urlpatterns,
    *account_urls.urlpatterns,
]
