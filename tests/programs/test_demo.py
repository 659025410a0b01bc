from django.core.management import call_command

from programs.models import Patient, Program, ProgramRevision, Therapist


def test_demo_setup_creates_a_practice_with_programs_once(library):
    call_command("demo_setup", verbosity=0)
    call_command("demo_setup", verbosity=0)
    therapist = Therapist.objects.get(user__username="demo")
    assert therapist.user.check_password("oefenplan-demo")
    assert Patient.objects.filter(practice=therapist.practice).count() == 5
    variants = set(Program.objects.values_list("variant_id", flat=True))
    assert {"transtibial", "transfemoral", "anterior", "knee-oa", "back"} == variants
    assert ProgramRevision.objects.count() == 5
