"""The home page's tiles follow the menu: the same permission for the same page."""

from cabinet import home
from cabinet.access.rules import Perm
from components.shell import NAV


def test_every_module_tile_has_the_permission_of_its_menu_item() -> None:
    menu = {item.route: item.perm for item in NAV}
    for tile in home.MODULES:
        assert tile.href in menu, tile.href
        assert tile.perm == menu[tile.href], tile.href


def test_tile_permissions_are_known_and_every_tile_speaks_both_languages() -> None:
    known = {p.value for p in Perm}
    for tile in home.MODULES + home.ACCOUNT:
        assert tile.perm is None or tile.perm in known
        assert tile.ru and tile.en
        assert bool(tile.about_ru) == bool(tile.about_en)
