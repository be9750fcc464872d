from django.utils.functional import SimpleLazyObject

from .access import actor_for


class ActorMiddleware:
    """Attach `request.actor`, built on first use, so views and templates share one role lookup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for(request.user))
        return self.get_response(request)
