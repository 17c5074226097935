"""The register's tables: sections, accounts and the customer data of seed §6."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the register's tables."""
    @migrator.create_model
    class Section(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=32, unique=True)
        name_fi = pw.CharField(max_length=200)
        name_sv = pw.CharField(max_length=200)
        name_en = pw.CharField(max_length=200)
        categories = pw.TextField()

        class Meta:
            table_name = "section"

    @migrator.create_model
    class Customer(pw.Model):
        id = pw.AutoField()
        section = pw.ForeignKeyField(column_name='section_id', field='id', model=migrator.orm['section'], on_delete='RESTRICT')
        kind = pw.CharField(max_length=16)
        first_name = pw.CharField(max_length=100, null=True)
        last_name = pw.CharField(max_length=100, null=True)
        name = pw.CharField(max_length=200, null=True)
        sort_name = pw.CharField(index=True, max_length=300)
        birth_date = pw.DateField(null=True)
        business_id = pw.CharField(index=True, max_length=9, null=True)
        phone = pw.CharField(max_length=32, null=True)
        mobile = pw.CharField(max_length=32, null=True)
        fax = pw.CharField(max_length=32, null=True)
        email = pw.CharField(index=True, max_length=254, null=True)
        language = pw.CharField(default='fi', max_length=8)
        own_info = pw.TextField(null=True)
        informed_at = pw.DateTimeField(null=True)
        informed_how = pw.CharField(max_length=16, null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()
        last_activity_at = pw.DateTimeField(index=True, null=True)
        version = pw.IntegerField(default=1)

        class Meta:
            table_name = "customer"
            indexes = [(('section', 'sort_name'), False), (('section', 'last_activity_at'), False)]

    @migrator.create_model
    class Address(pw.Model):
        id = pw.AutoField()
        customer = pw.ForeignKeyField(column_name='customer_id', field='id', model=migrator.orm['customer'], on_delete='CASCADE')
        kind = pw.CharField(default='postal', max_length=16)
        street = pw.CharField(max_length=200, null=True)
        postal_code = pw.CharField(index=True, max_length=10, null=True)
        city = pw.CharField(index=True, max_length=100, null=True)
        country = pw.CharField(default='FI', max_length=2)

        class Meta:
            table_name = "address"

    @migrator.create_model
    class User(pw.Model):
        id = pw.AutoField()
        username = pw.CharField(max_length=64, null=True, unique=True)
        pseudonym = pw.CharField(max_length=32, unique=True)
        role = pw.CharField(max_length=16)
        active = pw.BooleanField(default=True)
        password_hash = pw.CharField(max_length=255, null=True)
        must_change_password = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()
        last_login_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "app_user"

    @migrator.create_model
    class ContactEvent(pw.Model):
        id = pw.AutoField()
        customer = pw.ForeignKeyField(column_name='customer_id', field='id', model=migrator.orm['customer'], on_delete='CASCADE')
        occurred_at = pw.DateTimeField()
        direction = pw.CharField(max_length=3)
        channel = pw.CharField(max_length=16)
        summary = pw.TextField()
        staff = pw.ForeignKeyField(column_name='staff_id', field='id', model=migrator.orm['app_user'], null=True, on_delete='SET NULL')

        class Meta:
            table_name = "contact_event"
            indexes = [(('customer', 'occurred_at'), False)]

    @migrator.create_model
    class ContactPerson(pw.Model):
        id = pw.AutoField()
        customer = pw.ForeignKeyField(column_name='customer_id', field='id', model=migrator.orm['customer'], on_delete='CASCADE')
        first_name = pw.CharField(max_length=100)
        last_name = pw.CharField(max_length=100)
        role = pw.CharField(max_length=200, null=True)
        phone = pw.CharField(max_length=32, null=True)
        email = pw.CharField(index=True, max_length=254, null=True)
        user_details = pw.TextField(null=True)

        class Meta:
            table_name = "contact_person"

    @migrator.create_model
    class Demographics(pw.Model):
        id = pw.AutoField()
        customer = pw.ForeignKeyField(column_name='customer_id', field='id', model=migrator.orm['customer'], on_delete='CASCADE', unique=True)
        profession = pw.CharField(max_length=200, null=True)
        education = pw.CharField(max_length=200, null=True)

        class Meta:
            table_name = "demographics"

    @migrator.create_model
    class Invoice(pw.Model):
        id = pw.AutoField()
        customer = pw.ForeignKeyField(column_name='customer_id', field='id', model=migrator.orm['customer'], on_delete='CASCADE')
        number = pw.CharField(max_length=32, unique=True)
        invoice_date = pw.DateField()
        due_date = pw.DateField()
        amount = pw.DecimalField(decimal_places=2, max_digits=12)
        paid_on = pw.DateField(null=True)
        collection_state = pw.CharField(default='open', max_length=16)

        class Meta:
            table_name = "invoice"
            indexes = [(('customer', 'invoice_date'), False)]

    @migrator.create_model
    class Purchase(pw.Model):
        id = pw.AutoField()
        customer = pw.ForeignKeyField(column_name='customer_id', field='id', model=migrator.orm['customer'], on_delete='CASCADE')
        service = pw.CharField(max_length=200)
        purchased_on = pw.DateField()
        amount = pw.DecimalField(decimal_places=2, max_digits=12, null=True)

        class Meta:
            table_name = "purchase"
            indexes = [(('customer', 'purchased_on'), False)]

    @migrator.create_model
    class UserSection(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['app_user'], on_delete='CASCADE')
        section = pw.ForeignKeyField(column_name='section_id', field='id', model=migrator.orm['section'], on_delete='RESTRICT')

        class Meta:
            table_name = "user_section"
            indexes = [(('user', 'section'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them, children first."""
    migrator.remove_model('user_section')
    migrator.remove_model('purchase')
    migrator.remove_model('invoice')
    migrator.remove_model('demographics')
    migrator.remove_model('contact_person')
    migrator.remove_model('contact_event')
    migrator.remove_model('app_user')
    migrator.remove_model('address')
    migrator.remove_model('customer')
    migrator.remove_model('section')
