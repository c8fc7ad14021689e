import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.people.models import GridMembership, Role, User
from tests.people.conftest import make_user

STRONG = "Harbour-lights-2026"
WRONG = {
    "code": "invalid_credentials",
    "message": "Wrong username or password — check both and try again.",
    "fields": {"password": ["Wrong username or password — check both and try again."]},
}


@pytest.fixture
def client():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def worker(tree):
    user = make_user("worker", Role.GRID_WORKER, scopes=[tree.east_g1, tree.east_g2], phone="13812341234",
                     full_name="张伟")  # fmt: skip
    user.set_password(STRONG)
    user.save()
    GridMembership.objects.create(grid=tree.east_g2, user=user, position=1, is_deputy=True)
    GridMembership.objects.create(grid=tree.east_g1, user=user, position=2, is_deputy=False)
    return user


# --- token -----------------------------------------------------------------------------------


def test_token_for_good_credentials(client, worker):
    response = client.post("/api/v1/auth/token/", {"username": "worker", "password": STRONG}, format="json")
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=worker).key}
    again = client.post("/api/v1/auth/token/", {"username": "worker", "password": STRONG}, format="json")
    assert again.json() == response.json()
    me = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert me.json()["username"] == "worker"


@pytest.mark.parametrize(
    "body", [{"username": "worker", "password": "wrong"}, {"username": "nobody", "password": STRONG}]
)
def test_token_refused_for_bad_credentials(client, worker, body):
    response = client.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert response.json() == WRONG
    assert Token.objects.count() == 0


def test_token_refused_for_inactive_user(client, worker):
    worker.is_active = False
    worker.save()
    response = client.post("/api/v1/auth/token/", {"username": "worker", "password": STRONG}, format="json")
    assert response.status_code == 400
    assert response.json() == WRONG


def test_token_missing_fields(client, db):
    response = client.post("/api/v1/auth/token/", {"username": "worker"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "message": "This field is required.",
        "fields": {"password": ["This field is required."]},
    }


@override_settings(AUTH_TOKEN_RATE="3/min")
def test_token_endpoint_is_throttled(client, worker):
    codes = [
        client.post("/api/v1/auth/token/", {"username": "worker", "password": "wrong"}, format="json").status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    assert client.post("/api/v1/auth/register/", {}, format="json").status_code == 429
    good = client.post("/api/v1/auth/token/", {"username": "worker", "password": STRONG}, format="json")
    assert good.status_code == 429


# --- register --------------------------------------------------------------------------------


def test_register_a_resident(client, db):
    response = client.post(
        "/api/v1/auth/register/", {"phone": "13912345678", "password": STRONG, "full_name": "赵居民"}, format="json"
    )
    assert response.status_code == 201
    user = User.objects.get(username="13912345678")
    token = Token.objects.get(user=user).key
    assert response.json() == {"username": "13912345678", "full_name": "赵居民", "token": token}
    assert (user.role, user.phone, user.is_staff) == ("resident", "13912345678", False)
    assert user.check_password(STRONG)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"phone": "23912345678", "password": STRONG, "full_name": "赵"},
         {"phone": ["Enter an 11-digit mainland mobile number such as 13812341234."]}),
        ({"phone": "13912345678", "password": "password", "full_name": "赵"},
         {"password": ["This password is too common."]}),
        ({"phone": "13912345678", "password": "1391234", "full_name": "赵"},
         {"password": ["The password is too similar to the username.",
                       "This password is too short. It must contain at least 8 characters.",
                       "This password is entirely numeric."]}),
        ({"phone": "13912345678", "password": STRONG}, {"full_name": ["This field is required."]}),
    ],
)  # fmt: skip
def test_register_refusals(client, db, body, fields):
    response = client.post("/api/v1/auth/register/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == fields
    assert response.json()["code"] == "validation_error"
    assert User.objects.count() == 0


def test_register_duplicate_phone(client, db):
    make_user("13912345678", phone="13912345678")
    response = client.post(
        "/api/v1/auth/register/", {"phone": "13912345678", "password": STRONG, "full_name": "钱"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "message": "This phone number is already registered — log in, or reset the password.",
        "fields": {"phone": ["This phone number is already registered — log in, or reset the password."]},
    }
    assert User.objects.count() == 1


# --- me --------------------------------------------------------------------------------------


def _me(user, django_assert_max_num_queries, limit=5):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    with django_assert_max_num_queries(limit):
        response = client.get("/api/v1/me/")
    assert response.status_code == 200
    return response.json()


def test_me_for_a_grid_worker(worker, django_assert_max_num_queries):
    assert _me(worker, django_assert_max_num_queries) == {
        "username": "worker",
        "full_name": "张伟",
        "phone": "13812341234",
        "role": "grid_worker",
        "duty_status": "on_duty",
        "is_staff_member": True,
        "sees_everything": False,
        "scope": [
            {"type": "org_node", "code": "370102001001001", "name": "东社区第一网格", "level": "grid"},
            {"type": "org_node", "code": "370102001001002", "name": "东社区第二网格", "level": "grid"},
        ],
        "grids": [
            {"code": "370102001001001", "name": "东社区第一网格", "position": 2, "is_deputy": False},
            {"code": "370102001001002", "name": "东社区第二网格", "position": 1, "is_deputy": True},
        ],
    }


def test_me_for_each_role(tree, django_assert_max_num_queries):
    cases = {
        "resident": (make_user("13900000001", phone="13900000001"), [], False, False),
        "clerk": (make_user("clerk", Role.CLERK, scopes=[tree.east]),
                  [{"type": "org_node", "code": "370102001001", "name": "东社区", "level": "community"}], True, False),
        "supervisor": (make_user("sup", Role.SUPERVISOR, scopes=[tree.jiefang, tree.south]),
                       [{"type": "org_node", "code": "370102001", "name": "解放路街道", "level": "subdistrict"},
                        {"type": "org_node", "code": "370103001001", "name": "南社区", "level": "community"}],
                       True, False),
        "department_staff": (make_user("cg", Role.DEPARTMENT_STAFF, scopes=[tree.cg]),
                             [{"type": "department", "code": "CG-LX", "name": "历下区城管局", "level": None}],
                             True, False),
        "admin": (make_user("ops", Role.ADMIN), [], True, True),
    }  # fmt: skip
    for role, (user, scope, staff, everything) in cases.items():
        body = _me(user, django_assert_max_num_queries)
        assert (body["role"], body["scope"], body["is_staff_member"], body["sees_everything"], body["grids"]) == (
            role, scope, staff, everything, []
        ), role  # fmt: skip
    assert _me(cases["resident"][0], django_assert_max_num_queries)["phone"] == "13900000001"


def test_me_query_count_does_not_grow_with_scopes(tree, django_assert_max_num_queries):
    from tests.people.conftest import make_node

    grids = [make_node(f"370102001001{n:03}", "grid", tree.east) for n in range(10, 30)]
    user = make_user("busy", Role.GRID_WORKER, scopes=grids)
    for n, grid in enumerate(grids):
        GridMembership.objects.create(grid=grid, user=user, position=n)
    body = _me(user, django_assert_max_num_queries, limit=4)
    assert len(body["scope"]) == 20
    assert len(body["grids"]) == 20


def test_me_needs_authentication(db):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"
