from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    """The framework's floor: middleware, routing and a response, nothing else."""
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello),
    path("", include("oefenplan.urls")),
]
