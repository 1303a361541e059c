"""Where the service layer and the repository have always found the mobilisation.

The domain now lives in small modules (`mobilisation`, `ledger`, `shop`…); this name stays so
that code and tests written against the first stub keep working unchanged.
"""

from volunteers.domain.events import MobilisationStarted
from volunteers.domain.mobilisation import Mobilisation

__all__ = ["Mobilisation", "MobilisationStarted"]
